using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tgwatch.Tdlib.Objects;

namespace Tgwatch.Tdlib.Functions;

/// <summary>
/// A TDLib function (a request), one record per function of td_api.tl, named as it names it: the record's fields are
/// the function's, written snake_case by the source-generated <see cref="TdJsonContext"/>, with <c>@type</c> the
/// function's name (the discriminator below). An object of a TDLib class in a field (<c>ChatList</c>) names its
/// constructor the same way; an object of a bare type (<c>proxy</c>) has no <c>@type</c>, as TDLib knows it from the
/// field. <see cref="ToString"/> gives only the function's name, so a request that carries a secret (an api_hash, a
/// password) never prints it.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "@type")]
[JsonDerivedType(typeof(SetTdlibParameters), "setTdlibParameters")]
[JsonDerivedType(typeof(GetAuthorizationState), "getAuthorizationState")]
[JsonDerivedType(typeof(SetAuthenticationPhoneNumber), "setAuthenticationPhoneNumber")]
[JsonDerivedType(typeof(CheckAuthenticationBotToken), "checkAuthenticationBotToken")]
[JsonDerivedType(typeof(RequestQrCodeAuthentication), "requestQrCodeAuthentication")]
[JsonDerivedType(typeof(CheckAuthenticationCode), "checkAuthenticationCode")]
[JsonDerivedType(typeof(CheckAuthenticationPassword), "checkAuthenticationPassword")]
[JsonDerivedType(typeof(Close), "close")]
[JsonDerivedType(typeof(GetMe), "getMe")]
[JsonDerivedType(typeof(DownloadFile), "downloadFile")]
[JsonDerivedType(typeof(CancelDownloadFile), "cancelDownloadFile")]
[JsonDerivedType(typeof(DeleteFile), "deleteFile")]
[JsonDerivedType(typeof(GetFile), "getFile")]
[JsonDerivedType(typeof(GetUser), "getUser")]
[JsonDerivedType(typeof(GetSupergroup), "getSupergroup")]
[JsonDerivedType(typeof(GetChat), "getChat")]
[JsonDerivedType(typeof(SearchPublicChat), "searchPublicChat")]
[JsonDerivedType(typeof(SearchChats), "searchChats")]
[JsonDerivedType(typeof(LoadChats), "loadChats")]
[JsonDerivedType(typeof(GetChats), "getChats")]
[JsonDerivedType(typeof(OpenChat), "openChat")]
[JsonDerivedType(typeof(GetChatHistory), "getChatHistory")]
[JsonDerivedType(typeof(GetChatMessageByDate), "getChatMessageByDate")]
[JsonDerivedType(typeof(GetMessage), "getMessage")]
[JsonDerivedType(typeof(GetRepliedMessage), "getRepliedMessage")]
[JsonDerivedType(typeof(SendMessage), "sendMessage")]
[JsonDerivedType(typeof(ForwardMessages), "forwardMessages")]
[JsonDerivedType(typeof(DeleteMessages), "deleteMessages")]
[JsonDerivedType(typeof(ParseTextEntities), "parseTextEntities")]
[JsonDerivedType(typeof(GetTextEntities), "getTextEntities")]
[JsonDerivedType(typeof(GetOption), "getOption")]
[JsonDerivedType(typeof(AddProxy), "addProxy")]
[JsonDerivedType(typeof(SetLogStream), "setLogStream")]
[JsonDerivedType(typeof(GetLogStream), "getLogStream")]
[JsonDerivedType(typeof(SetLogVerbosityLevel), "setLogVerbosityLevel")]
[JsonDerivedType(typeof(SetLogTagVerbosityLevel), "setLogTagVerbosityLevel")]
[JsonDerivedType(typeof(GetLogTagVerbosityLevel), "getLogTagVerbosityLevel")]
public abstract record TdFunction
{
    private static readonly FrozenDictionary<Type, string> Names =
        TdJsonContext.Default.TdFunction.PolymorphismOptions!.DerivedTypes.ToFrozenDictionary(d => d.DerivedType, d => (string)d.TypeDiscriminator!);

    private protected TdFunction()
    {
    }

    /// <summary>The function's name in td_api.tl, as <c>@type</c> says it (e.g. <c>getChatHistory</c>).</summary>
    [JsonIgnore]
    public string TypeName => Names[GetType()];

    /// <summary>What TDLib gives back with the answer, to match it to the request; set by the client as it sends.</summary>
    [JsonInclude]
    [JsonPropertyName("@extra")]
    [JsonPropertyOrder(1)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    internal string? Extra { get; init; }

    /// <summary>The request as TDLib receives it: <c>{"@type":"getChat","chat_id":-100…}</c>.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, TdJsonContext.Default.TdFunction);

    /// <summary>The function's name only (<see cref="TypeName"/>): the fields may be secrets.</summary>
    public sealed override string ToString() => TypeName;
}
