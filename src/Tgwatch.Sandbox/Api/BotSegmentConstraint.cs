using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Tgwatch.Sandbox.Api;

/// <summary>
/// Matches the <c>bot{token}</c> path segment as a whole. A route segment of a literal and a parameter
/// (<c>bot{token}</c>) is matched from the right, at the last "bot" in it (case-insensitive), so a token whose
/// secret holds "bot" (about one generated token in a thousand) did not match and was answered 404.
/// </summary>
internal sealed class BotSegmentConstraint : IRouteConstraint
{
    public const string Name = "botsegment";

    private const string Prefix = "bot";

    /// <summary>The token in a matched segment.</summary>
    public static string Token(string segment) => segment[Prefix.Length..];

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && value is string segment
        && segment.Length > Prefix.Length && segment.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);
}
