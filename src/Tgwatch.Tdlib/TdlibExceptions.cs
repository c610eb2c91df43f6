namespace Tgwatch.Tdlib;

/// <summary>libtdjson could not be found or loaded, or is not a libtdjson. The message is one line.</summary>
public sealed class TdlibLoadException : Exception
{
    /// <summary>Creates the exception; line breaks in <paramref name="message"/> are folded into one line.</summary>
    public TdlibLoadException(string message) : base(OneLine(message)) { }

    internal static string OneLine(string text) =>
        string.Join("; ", text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>TDLib answered a request with an <c>error</c> object.</summary>
public sealed class TdlibErrorException : Exception
{
    /// <summary>Creates the exception for TDLib's error <paramref name="code"/> and <paramref name="tdMessage"/>.</summary>
    public TdlibErrorException(int code, string tdMessage, string? requestType = null)
        : base(requestType is null ? $"TDLib error {code}: {tdMessage}" : $"TDLib error {code} on {requestType}: {tdMessage}")
    {
        Code = code;
        TdMessage = tdMessage;
        RequestType = requestType;
    }

    /// <summary>TDLib's error code (an HTTP-like number; 400 bad request, 401 unauthorized, 429 flood wait, 500 internal).</summary>
    public int Code { get; }

    /// <summary>TDLib's error text as it sent it.</summary>
    public string TdMessage { get; }

    /// <summary>The <c>@type</c> of the request that failed, when known.</summary>
    public string? RequestType { get; }
}

/// <summary>The TDLib client was closed before it answered.</summary>
public sealed class TdlibClientClosedException(int clientId, string? requestType)
    : Exception(requestType is null ? $"TDLib client {clientId} is closed" : $"TDLib client {clientId} closed before it answered {requestType}")
{
    /// <summary>The TDLib client id.</summary>
    public int ClientId { get; } = clientId;
}
