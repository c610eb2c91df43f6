namespace Tgwatch.Sandbox.Bots;

/// <summary>An admin request the sandbox refuses: <c>{"error":"…"}</c> with <see cref="StatusCode"/>.</summary>
internal sealed class AdminException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
