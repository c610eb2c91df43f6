namespace Tgwatch.Sandbox.Bots;

/// <summary>An update waiting for the bot: its id, its type (the name of its one optional field) and its JSON.</summary>
internal sealed record QueuedUpdate(int UpdateId, string Kind, byte[] Json);
