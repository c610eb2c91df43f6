using Tgwatch.Cli;

return await TgwatchCli.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
