using Tgwatch.Cli;
using Tgwatch.Cli.Hosting;

// Every line the program prints goes through the redactor, crashes included.
var stdout = new RedactingWriter(Console.Out);
var stderr = new RedactingWriter(Console.Error);
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    // A failure on a thread of its own: said once, masked, instead of the runtime's unmasked dump.
    stdout.Flush();
    stderr.WriteLine(TgwatchCli.CrashText(e.ExceptionObject as Exception));
    stderr.Flush();
    Environment.Exit(ExitCodes.Unexpected);
};
try
{
    return await TgwatchCli.RunAsync(args, stdout, stderr).ConfigureAwait(false);
}
catch (Exception e)
{
    await stderr.WriteLineAsync(TgwatchCli.CrashText(e)).ConfigureAwait(false);
    return ExitCodes.Unexpected;
}
finally
{
    await stdout.FlushAsync().ConfigureAwait(false);
    await stderr.FlushAsync().ConfigureAwait(false);
}
