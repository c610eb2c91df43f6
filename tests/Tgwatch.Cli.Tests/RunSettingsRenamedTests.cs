using Tgwatch.Cli.Hosting;
using Tgwatch.Cli.Run;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// Settings under their former names (<c>Pipeline:RetryDelay</c>, <c>Pipeline:MaxRetryDelay</c>, <c>BotApi:MaxBackoffSeconds</c>):
/// read as the new ones (<c>MinBackoff</c>, <c>MaxBackoff</c>), a later source winning whatever name it uses, and each said in
/// one warning line at start.
/// </summary>
public sealed class RunSettingsRenamedTests
{
    private const string Token = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ012345678";
    private readonly string _dir = Some.TempDirectory("tgwatch-renamed");

    private string Config(string json)
    {
        var path = Path.Combine(_dir, "tgwatch.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static RunSettings Load(string config, Dictionary<string, string?>? flags = null) =>
        RunSettingsReader.ForRun(config, new Dictionary<string, string?>(flags ?? []) { ["BotApi:Token"] = Token }, null, null);

    [Fact]
    public void OldNamesInTheFile_AreReadAsTheNewOnes_EachTold()
    {
        var config = Config("""{"BotApi": {"MaxBackoffSeconds": 90}, "Pipeline": {"RetryDelay": "00:00:01", "MaxRetryDelay": "00:01:00"}}""");

        var settings = Load(config);

        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(90)),
            (settings.Pipeline.MinBackoff, settings.Pipeline.MaxBackoff, settings.BotApi.MaxBackoff));
        Assert.Equal(
        [
            new RenamedSetting($"{config}: ", "BotApi:MaxBackoffSeconds", "BotApi:MaxBackoff", "00:01:30"),
            new RenamedSetting($"{config}: ", "Pipeline:MaxRetryDelay", "Pipeline:MaxBackoff", "00:01:00"),
            new RenamedSetting($"{config}: ", "Pipeline:RetryDelay", "Pipeline:MinBackoff", "00:00:01"),
        ], settings.Renamed.OrderBy(r => r.Old, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("""{"Pipeline": {"MinBackoff": "00:00:01"}}""", "Pipeline:RetryDelay", 2)] // a later source under the old name
    [InlineData("""{"Pipeline": {"RetryDelay": "00:00:01"}}""", "Pipeline:MinBackoff", 2)] // a later source under the new name
    [InlineData("""{"Pipeline": {"RetryDelay": "00:00:01", "MinBackoff": "00:00:03"}}""", null, 3)] // one source, both names: the new one
    public void TheLaterSourceWins_WhateverNameItUses(string file, string? flag, int seconds)
    {
        var settings = Load(Config(file), flag is null ? null : new() { [flag] = "00:00:02" });

        Assert.Equal(TimeSpan.FromSeconds(seconds), settings.Pipeline.MinBackoff);
    }

    [Fact]
    public void NewNames_AreNotTold()
    {
        var settings = Load(Config("""{"BotApi": {"MaxBackoff": "00:00:05"}, "Pipeline": {"MinBackoff": "00:00:01", "MaxBackoff": "00:00:10"}}"""));

        Assert.Equal(TimeSpan.FromSeconds(5), settings.BotApi.MaxBackoff);
        Assert.Empty(settings.Renamed);
    }

    [Fact]
    public void AnOldNameWithAValueOfTheWrongType_IsNamedAsWritten()
    {
        var config = Config("""{"BotApi": {"MaxBackoffSeconds": "soon"}}""");

        var e = Assert.Throws<CliException>(() => Load(config));

        Assert.Equal($"{config}: BotApi:MaxBackoffSeconds: expected a whole number (up to 2147483647)", e.Message);
    }

    [Fact]
    public async Task ARunWithOldNames_SaysEachInOneWarningLineAtStart()
    {
        File.WriteAllText(Path.Combine(_dir, "tgwatch.json"), """{"BotApi": {"Url": "http://127.0.0.1:9/", "MaxBackoffSeconds": 5}, "Pipeline": {"RetryDelay": "00:00:01"}}""");
        using var process = ProcessRun.Start("bash", ["-c", $"cd {_dir} && exec {Tgwatch.Shell} run --data-dir {_dir} --sink jsonl:{_dir}/out.jsonl"],
            environment: new Dictionary<string, string> { ["TGWATCH__BOTAPI__TOKEN"] = Token, ["TGWATCH__PIPELINE__MAXRETRYDELAY"] = "00:00:10" });
        process.StandardInput.Close();
        var told = new List<string>();
        try
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (told.Count < 3 && await process.StandardError.ReadLineAsync(patience.Token) is { } line)
                if (line.Contains(" is deprecated, ", StringComparison.Ordinal)) told.Add(line[line.IndexOf("Tgwatch.Settings: ", StringComparison.Ordinal)..]);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }

        Assert.Equal(
        [
            "Tgwatch.Settings: tgwatch.json: BotApi:MaxBackoffSeconds is deprecated, read as BotApi:MaxBackoff = 00:00:05; rename it (the old name will stop being read)",
            "Tgwatch.Settings: tgwatch.json: Pipeline:RetryDelay is deprecated, read as Pipeline:MinBackoff = 00:00:01; rename it (the old name will stop being read)",
            "Tgwatch.Settings: environment variable TGWATCH__PIPELINE__MAXRETRYDELAY: Pipeline:MaxRetryDelay is deprecated, read as Pipeline:MaxBackoff = 00:00:10; rename it (the old name will stop being read)",
        ], told);
    }
}
