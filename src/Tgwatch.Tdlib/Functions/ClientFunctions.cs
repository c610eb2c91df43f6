using System.Text.Json.Serialization;

namespace Tgwatch.Tdlib.Functions;

/// <summary><c>getOption</c> (synchronous for a few options, such as <c>version</c>).</summary>
/// <param name="Name">The option's name.</param>
public sealed record GetOption(string Name) : TdFunction;

/// <summary><c>addProxy</c>: a proxy for the client's connections.</summary>
/// <param name="Proxy">The proxy.</param>
/// <param name="Enable">Use it from now on.</param>
/// <param name="Comment">A note kept with it.</param>
public sealed record AddProxy(Proxy Proxy, bool Enable, string Comment) : TdFunction;

/// <summary><c>proxy</c> (a bare type: written without <c>@type</c>): where a proxy listens and what it is.</summary>
/// <param name="Server">Its host.</param>
/// <param name="Port">Its port.</param>
/// <param name="Type">Its kind.</param>
public sealed record Proxy(string Server, int Port, ProxyType Type);

/// <summary><c>ProxyType</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "@type")]
[JsonDerivedType(typeof(ProxyTypeSocks5), "proxyTypeSocks5")]
public abstract record ProxyType
{
    private protected ProxyType()
    {
    }
}

/// <summary><c>proxyTypeSocks5</c>.</summary>
/// <param name="Username">The user name; empty: none.</param>
/// <param name="Password">The password; empty: none.</param>
public sealed record ProxyTypeSocks5(string Username, string Password) : ProxyType;
