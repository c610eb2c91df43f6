using System.Text.Json.Serialization;

namespace Tgwatch.Tdlib.Functions;

/// <summary><c>parseTextEntities</c> (synchronous): a marked-up text as a <c>formattedText</c>.</summary>
/// <param name="Text">The text with its markup.</param>
/// <param name="ParseMode">The markup.</param>
public sealed record ParseTextEntities(string Text, TextParseMode ParseMode) : TdFunction;

/// <summary><c>getTextEntities</c> (synchronous): the mentions, hashtags, bot commands, links and the like found in a text.</summary>
/// <param name="Text">The text.</param>
public sealed record GetTextEntities(string Text) : TdFunction;

/// <summary><c>TextParseMode</c>: a text markup.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "@type")]
[JsonDerivedType(typeof(TextParseModeMarkdown), "textParseModeMarkdown")]
public abstract record TextParseMode
{
    private protected TextParseMode()
    {
    }
}

/// <summary><c>textParseModeMarkdown</c>.</summary>
/// <param name="Version">The Markdown version: 0 or 1 (the Bot API's Markdown), 2 (MarkdownV2).</param>
public sealed record TextParseModeMarkdown(int Version) : TextParseMode;
