namespace Tgwatch.Noise.Rules;

/// <summary>A rule pack that cannot be used; the message is one line naming the file and the problem.</summary>
public sealed class RulePackException(string message, Exception? inner = null) : Exception(message, inner);
