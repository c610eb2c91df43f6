using System.Text.Json.Serialization;
using Tgwatch.Sandbox.Admin;
using Tgwatch.Sandbox.Faults;
using Tgwatch.Sandbox.Wire;

namespace Tgwatch.Sandbox;

/// <summary>
/// Every type the sandbox reads or writes as JSON (Bot API objects and the admin API), compiled at build time: the
/// resolver of <see cref="WireJson"/>'s and <see cref="AdminJson"/>'s options, so that the native executable, which cannot
/// make a reader at run time, serves and drives the sandbox as the built program does. A type missing here fails at once
/// in the sandbox's own tests.
/// </summary>
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(WireUser))]
[JsonSerializable(typeof(WireChat))]
[JsonSerializable(typeof(WireMessage))]
[JsonSerializable(typeof(IReadOnlyList<WireMessage>))]
[JsonSerializable(typeof(WireChatFullInfo))]
[JsonSerializable(typeof(WireWebhookInfo))]
[JsonSerializable(typeof(WireFile))]
[JsonSerializable(typeof(InjectMessage))]
[JsonSerializable(typeof(InjectEdit))]
[JsonSerializable(typeof(InjectBulk))]
[JsonSerializable(typeof(BulkResult))]
[JsonSerializable(typeof(RenumberUpdates))]
[JsonSerializable(typeof(InjectedUpdate))]
[JsonSerializable(typeof(IReadOnlyList<InjectedUpdate>))]
[JsonSerializable(typeof(FaultRequest))]
[JsonSerializable(typeof(ArmedFault))]
[JsonSerializable(typeof(SandboxStats))]
[JsonSerializable(typeof(Dictionary<string, int>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(IReadOnlyList<System.Text.Json.JsonElement>))]
internal sealed partial class SandboxJsonContext : JsonSerializerContext;
