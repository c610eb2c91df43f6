using System.ComponentModel.DataAnnotations;

namespace Tgwatch.Validation;

/// <summary>An absolute http or https address, as a <see cref="Uri"/> or a string; null only when <see cref="Optional"/>.</summary>
public sealed class HttpAddressAttribute : SettingAttribute
{
    /// <summary>Whether the setting may be left out (null).</summary>
    public bool Optional { get; set; }

    /// <inheritdoc />
    protected override string? Problem(object? value, ValidationContext context)
    {
        var url = value switch
        {
            Uri u => u,
            string s when Uri.TryCreate(s, UriKind.Absolute, out var parsed) => parsed,
            _ => null,
        };
        if (value is null && Optional) return null;
        return url is { IsAbsoluteUri: true } && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? null
            : "expected an http(s) address";
    }
}
