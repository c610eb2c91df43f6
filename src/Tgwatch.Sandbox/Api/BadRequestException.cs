namespace Tgwatch.Sandbox.Api;

/// <summary>A bot request the sandbox refuses with a 400 "Bad Request: …" answer.</summary>
internal sealed class BadRequestException(string what) : Exception(what)
{
    public BotResponse Response => BotResponse.BadRequest(Message);
}
