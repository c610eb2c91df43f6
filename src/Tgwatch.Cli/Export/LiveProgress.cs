using Spectre.Console;

namespace Tgwatch.Cli.Export;

/// <summary>The live progress display of an export on a terminal (Spectre.Console): a bar, the percentage, and the figures in words.</summary>
internal static class LiveProgress
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(250);

    /// <summary>Shows <paramref name="progress"/> on <paramref name="terminal"/> until <paramref name="ct"/> is cancelled, then its last figures.</summary>
    public static async Task RunAsync(ExportProgress progress, TextWriter terminal, string chat, CancellationToken ct)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(terminal),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Yes,
        });
        await console.Progress()
            .AutoClear(false)
            .AutoRefresh(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(chat), maxValue: 1);
                while (!ct.IsCancellationRequested)
                {
                    Show(task, chat, progress.Now());
                    try
                    {
                        await Task.Delay(Refresh, ct).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
                Show(task, chat, progress.Now());
                task.StopTask();
            }).ConfigureAwait(false);
    }

    private static void Show(ProgressTask task, string chat, ExportFigures now)
    {
        task.MaxValue = Math.Max(1, now.Estimated);
        task.Value = now.Done;
        var words = Markup.Escape($"{chat} {now.Line()["export:".Length..]}");
        task.Description = now.FloodWaitLeft is not null || now.LinkDown ? $"[yellow]{words}[/]" : words;
    }
}
