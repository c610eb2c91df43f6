namespace Tgwatch.Connectors;

/// <summary>A connector cannot go on (its source is missing, its credentials were rejected); the message is one line for the user.</summary>
public class ConnectorException : Exception
{
    /// <summary>Creates one.</summary>
    public ConnectorException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    /// <summary>Creates one.</summary>
    public ConnectorException()
    {
    }

    /// <summary>Creates one.</summary>
    public ConnectorException(string message) : base(message)
    {
    }
}
