namespace Tgwatch.Cli;

/// <summary>Process exit codes (ARCHITECTURE §4).</summary>
public static class ExitCodes
{
    /// <summary>Normal stop.</summary>
    public const int Ok = 0;

    /// <summary>Something unexpected.</summary>
    public const int Unexpected = 1;

    /// <summary>Usage or configuration error.</summary>
    public const int Usage = 2;

    /// <summary>Authentication needed or revoked.</summary>
    public const int Auth = 3;

    /// <summary>The command to run could not be started (as a shell reports it).</summary>
    public const int CannotStart = 127;
}
