using System.ComponentModel.DataAnnotations;

namespace Tgwatch.Validation;

/// <summary>Unix permissions that give the owner at least <paramref name="needed"/>.</summary>
/// <param name="needed">The owner's permissions that must be there.</param>
/// <param name="what">What they let the owner do, in words (<c>write and enter</c>).</param>
public sealed class OwnerMayAttribute(UnixFileMode needed, string what) : SettingAttribute
{
    /// <summary>The owner's permissions that must be there.</summary>
    public UnixFileMode Needed { get; } = needed;

    /// <summary>What they let the owner do, in words.</summary>
    public string What { get; } = what;

    /// <inheritdoc />
    protected override string? Problem(object? value, ValidationContext context) =>
        value is UnixFileMode mode && (mode & Needed) != Needed ? $"must let the owner {What}" : null;
}
