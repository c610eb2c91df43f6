using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Cli.Http;
using Tgwatch.Cli.Run;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// <c>/healthz</c> over real HTTP (the run's Kestrel endpoint, in this process) with the run's heartbeat on a fake clock: a loop
/// busy past the bound is 503 with its name; one that waits for work, however long, is 200.
/// </summary>
public sealed class HealthzTests
{
    [Fact]
    public async Task ALoopBusyPastTheBound_Is503WithItsName_AWaitingLoopIsHealthy_AndOnlyLoopbackNamesAreServed()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        var live = new LiveRun(time);
        var listen = HttpListen.Parse("127.0.0.1:0", out _)!;
        var settings = new RunSettings { HttpListen = listen };
        var builder = RunHttp.CreateBuilder(listen);
        builder.Services.AddSingleton(live);
        await using var app = builder.Build();
        RunHttp.Map(app, settings);
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var bound = RunHttp.StuckAfter(settings);
        var boundText = global::Tgwatch.Duration.Format(bound);

        async Task<(HttpStatusCode, string)> HealthAsync()
        {
            using var answer = await http.GetAsync("/healthz");
            return (answer.StatusCode, await answer.Content.ReadAsStringAsync());
        }

        // On loopback, a request addressed to another name (a page elsewhere, by DNS rebinding) is refused.
        using (var rebound = new HttpRequestMessage(HttpMethod.Get, "/healthz"))
        {
            rebound.Headers.Host = "attacker.example";
            using var refused = await http.SendAsync(rebound);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }
        using (var localhost = new HttpRequestMessage(HttpMethod.Get, "/healthz"))
        {
            localhost.Headers.Host = $"localhost:{port}";
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(localhost)).StatusCode);
        }

        live.Heartbeat.Beat("pipeline");
        live.Heartbeat.Beat("botapi");
        time.Advance(bound);
        Assert.Equal((HttpStatusCode.OK, "ok\n"), await HealthAsync()); // at the bound, not past it
        live.Heartbeat.Idle("botapi"); // the connector waits for an answer's turn: not stuck, however long
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, $"stuck: pipeline (no progress for over {boundText})\n"), await HealthAsync());
        live.Heartbeat.Beat("pipeline");
        Assert.Equal((HttpStatusCode.OK, "ok\n"), await HealthAsync());
        time.Advance(TimeSpan.FromHours(5));
        live.Heartbeat.Idle("pipeline");
        Assert.Equal((HttpStatusCode.OK, "ok\n"), await HealthAsync());
        await app.StopAsync();
    }
}
