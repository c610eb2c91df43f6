// Generated from Rules/*.rules.json by BuiltInPatternsTests (TGWATCH_REGENERATE=1 ./test.sh); do not edit.
using System.Text.RegularExpressions;

namespace Tgwatch.Noise.Rules;

/// <summary>The patterns of the built-in rule packs, compiled at build time.</summary>
internal static partial class BuiltInPatterns
{
    /// <summary>The build-time compiled form of a built-in pattern, or null for any other pattern.</summary>
    public static Regex? Find(string pattern) => pattern switch
    {
        "^(?:[\\w\\s:,.\\[\\]/|-]*?\\basyncio\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?(?:(?:<.*>: )?Fatal (?:write|read) error on (?:socket|SSL|pipe) transport|Fatal error on (?:transport|SSL transport)|(?:Task|Future) exception was never retrieved|Exception in callback .*|Error on reading from the event loop self pipe)$" => P0(),
        "^(?:[\\w\\s:,.\\[\\]/|-]*?\\basyncio\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?socket\\.send\\(\\) raised exception\\.$" => P1(),
        "^(?:[\\w\\s:,.\\[\\]/|-]*?\\bpyrogram\\.session\\.session\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?\\[\\d+\\] Retrying \"[\\w.]+\" due to:? (?:Connection lost|\\[Errno (?<errno>\\d+)\\] .*|(?:OSError|ConnectionError|ConnectionResetError|BrokenPipeError)\\(\\)|Telegram says: \\[50[03] [A-Z_]+\\].*)$" => P2(),
        "^(?:[\\w\\s:,.\\[\\]/|-]*?\\bpyrogram\\.session\\.session\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?\\[\\d+\\] Retrying \"[\\w.]+\" due to:? (?:Request timed out|Connection timed out|TimeoutError\\(\\))$" => P3(),
        "^[\\w\\s:,.\\[\\]/|-]*?\\bpyrogram\\.connection\\.transport\\.tcp\\.tcp\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+)(?:Send|Close) exception: (?<type>\\w+) (?:\\[Errno (?<errno>\\d+)\\] )?.*$" => P4(),
        "^(?:[\\w\\s:,.\\[\\]/|-]*?\\bpyrogram\\.connection\\.connection\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?Unable to connect due to network issues: (?:\\[Errno (?<errno>\\d+)\\] .*|Connection lost|.*\\(\\))$" => P5(),
        "^(?:[\\w\\s:,.\\[\\]/|-]*?\\bpyrogram\\.connection\\.connection\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?Unable to connect due to network issues: (?:Connection timed out|TimeoutError\\(\\))$" => P6(),
        "^(?:[\\w\\s:,.\\[\\]/|-]*?\\bpyrogram\\.connection\\.connection\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?Connection failed! Trying again\\.\\.\\.$" => P7(),
        "^[\\w\\s:,.\\[\\]/|-]*?\\bpyrogram\\.session\\.auth\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+)Retrying due to (?<type>\\w+): (?:\\[Errno (?<errno>\\d+)\\] )?.*$" => P8(),
        "^[\\w\\s:,.\\[\\]/|-]*?\\bpyrogram\\.(?:connection\\.connection|session\\.session)\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+)(?:Connecting\\.\\.\\.|Connected! .*|Disconnected|NetworkTask (?:started|stopped)|PingTask (?:started|stopped)|Session (?:started|stopped|initialized: Layer \\d+)|Device: .*|System: .*)$" => P9(),
        "[/\\\\]pyrogram[/\\\\]" => P10(),
        "^\\[ ?\\d+\\]\\[t ?\\d+\\]\\[[\\d.]+\\]\\[ConnectionCreator\\.cpp:\\d+\\](?:\\[#\\d+\\])?\\[!ConnectionCreator\\](?:\\[&\\w+\\])?\\t.*: \\[PosixError : [^\\]]*? : (?<errno>\\d+) : .*$" => P11(),
        "^\\[ ?\\d+\\]\\[t ?\\d+\\]\\[[\\d.]+\\]\\[ConnectionCreator\\.cpp:\\d+\\](?:\\[#\\d+\\])?\\[!ConnectionCreator\\](?:\\[&connections\\])?\\tFailed connection \\((?:un)?checked\\) \\[Error : \\d+ : Connection timeout expired\\] .*$" => P12(),
        "^\\[ ?\\d+\\]\\[t ?\\d+\\]\\[[\\d.]+\\]\\[ConnectionCreator\\.cpp:\\d+\\](?:\\[#\\d+\\])?\\[!ConnectionCreator\\](?:\\[&connections\\])?\\tFailed connection \\((?:un)?checked\\) \\[(?:Posix)?Error : .*$" => P13(),
        "^\\[ ?\\d+\\]\\[t ?\\d+\\]\\[[\\d.]+\\]\\[ConnectionCreator\\.cpp:\\d+\\](?:\\[#\\d+\\])?\\[!PingActor<[^\\t]*>\\]\\[&connections\\]\\tFailed connection \\(checked\\) \\[PosixError : [^\\]]*? : (?<errno>\\d+) : .*$" => P14(),
        "^\\[ ?\\d+\\]\\[t ?\\d+\\]\\[[\\d.]+\\]\\[Session\\.cpp:\\d+\\](?:\\[#\\d+\\])?\\[!Session:[\\w:]+::HandshakeActor\\]\\tFailed to open connection: \\[PosixError : [^\\]]*? : (?<errno>\\d+) : .*$" => P15(),
        "^\\[ ?\\d+\\]\\[t ?\\d+\\]\\[[\\d.]+\\]\\[ConnectionCreator\\.cpp:\\d+\\](?:\\[#\\d+\\])?\\[!ConnectionCreator\\]\\[&connections\\]\\t.*$" => P16(),
        "^\\[ ?\\d+\\]\\[t ?\\d+\\]\\[[\\d.]+\\]\\[ConfigManager\\.cpp:\\d+\\](?:\\[#\\d+\\])?\\[!Recoverer\\](?:\\[&config_recoverer\\])?\\tFailed to connect for [\\d.]+ seconds$" => P17(),
        "^(?:[\\w\\s:,.\\[\\]/|-]*?\\btelethon\\.network\\.mtprotosender\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?Attempt \\d+ at connecting failed: (?<type>[\\w.]+): (?:\\[Errno (?<errno>\\d+)\\] )?.*$" => P18(),
        "^(?:[\\w\\s:,.\\[\\]/|-]*?\\btelethon\\.network\\.mtprotosender\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?Attempt \\d+ at connecting failed: (?<type>[\\w.]+): .*$" => P19(),
        "^(?:[\\w\\s:,.\\[\\]/|-]*?\\btelethon\\.network\\.mtprotosender\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?Connection error \\d+ during auth_key gen: (?<type>[\\w.]+): (?:\\[Errno (?<errno>\\d+)\\] )?.*$" => P20(),
        "^[\\w\\s:,.\\[\\]/|-]*?\\btelethon\\.network\\.connection\\.connection\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+)<class '(?<type>[\\w.]+)'> during disconnect: (?:\\[Errno (?<errno>\\d+)\\] )?.*$" => P21(),
        "^[\\w\\s:,.\\[\\]/|-]*?\\btelethon\\.network\\.mtprotosender\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+)Failed reconnection attempt \\d+ with (?<type>[\\w.]+)$" => P22(),
        "^[\\w\\s:,.\\[\\]/|-]*?\\btelethon\\.network\\.(?:mtprotosender|connection\\.connection)\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+)(?:Connecting to \\S+\\.\\.\\.|Connection to \\S+ complete!|Disconnecting from \\S+\\.\\.\\.|Disconnection from \\S+ complete!|Not disconnecting \\(already have no connection\\)|Closing current connection to begin reconnect\\.\\.\\.|Connection closed while (?:receiving|sending) data|The server closed the connection(?: while sending)?|Graceful disconnection timed out, forcibly ignoring cleanup)$" => P23(),
        "^(?:\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\[[TDIWE!]\\] )?SocketException (?<type>\\w+) \\(\\d+\\): .*$" => P24(),
        "^(?:\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\[[TDIWE!]\\] )?SocketException (?<type>TimedOut) \\(\\d+\\): .*$" => P25(),
        "^(?:\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\[[TDIWE!]\\] )?\\d+>An exception occured in the reactor: WTelegram\\.WTException: Could not read (?:payload length|frame data) : Connection shut down$" => P26(),
        "^(?:\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\[[TDIWE!]\\] )?(?:Connecting to (?:\\d{1,3}(?:\\.\\d{1,3}){3}|\\[[0-9a-fA-F:]+\\]):\\d+\\.\\.\\.|Connecting to DC \\d+ via MTProxy \\S+\\.\\.\\.|Connected to (?:Test )?DC \\d+\\.\\.\\. .*|\\d+>Alt DC disconnected: .*)$" => P27(),
        _ => null,
    };

    [GeneratedRegex("^(?:[\\w\\s:,.\\[\\]/|-]*?\\basyncio\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?(?:(?:<.*>: )?Fatal (?:write|read) error on (?:socket|SSL|pipe) transport|Fatal error on (?:transport|SSL transport)|(?:Task|Future) exception was never retrieved|Exception in callback .*|Error on reading from the event loop self pipe)$", RegexOptions.CultureInvariant)]
    private static partial Regex P0();

    [GeneratedRegex("^(?:[\\w\\s:,.\\[\\]/|-]*?\\basyncio\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?socket\\.send\\(\\) raised exception\\.$", RegexOptions.CultureInvariant)]
    private static partial Regex P1();

    [GeneratedRegex("^(?:[\\w\\s:,.\\[\\]/|-]*?\\bpyrogram\\.session\\.session\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?\\[\\d+\\] Retrying \"[\\w.]+\" due to:? (?:Connection lost|\\[Errno (?<errno>\\d+)\\] .*|(?:OSError|ConnectionError|ConnectionResetError|BrokenPipeError)\\(\\)|Telegram says: \\[50[03] [A-Z_]+\\].*)$", RegexOptions.CultureInvariant)]
    private static partial Regex P2();

    [GeneratedRegex("^(?:[\\w\\s:,.\\[\\]/|-]*?\\bpyrogram\\.session\\.session\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?\\[\\d+\\] Retrying \"[\\w.]+\" due to:? (?:Request timed out|Connection timed out|TimeoutError\\(\\))$", RegexOptions.CultureInvariant)]
    private static partial Regex P3();

    [GeneratedRegex("^[\\w\\s:,.\\[\\]/|-]*?\\bpyrogram\\.connection\\.transport\\.tcp\\.tcp\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+)(?:Send|Close) exception: (?<type>\\w+) (?:\\[Errno (?<errno>\\d+)\\] )?.*$", RegexOptions.CultureInvariant)]
    private static partial Regex P4();

    [GeneratedRegex("^(?:[\\w\\s:,.\\[\\]/|-]*?\\bpyrogram\\.connection\\.connection\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?Unable to connect due to network issues: (?:\\[Errno (?<errno>\\d+)\\] .*|Connection lost|.*\\(\\))$", RegexOptions.CultureInvariant)]
    private static partial Regex P5();

    [GeneratedRegex("^(?:[\\w\\s:,.\\[\\]/|-]*?\\bpyrogram\\.connection\\.connection\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?Unable to connect due to network issues: (?:Connection timed out|TimeoutError\\(\\))$", RegexOptions.CultureInvariant)]
    private static partial Regex P6();

    [GeneratedRegex("^(?:[\\w\\s:,.\\[\\]/|-]*?\\bpyrogram\\.connection\\.connection\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?Connection failed! Trying again\\.\\.\\.$", RegexOptions.CultureInvariant)]
    private static partial Regex P7();

    [GeneratedRegex("^[\\w\\s:,.\\[\\]/|-]*?\\bpyrogram\\.session\\.auth\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+)Retrying due to (?<type>\\w+): (?:\\[Errno (?<errno>\\d+)\\] )?.*$", RegexOptions.CultureInvariant)]
    private static partial Regex P8();

    [GeneratedRegex("^[\\w\\s:,.\\[\\]/|-]*?\\bpyrogram\\.(?:connection\\.connection|session\\.session)\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+)(?:Connecting\\.\\.\\.|Connected! .*|Disconnected|NetworkTask (?:started|stopped)|PingTask (?:started|stopped)|Session (?:started|stopped|initialized: Layer \\d+)|Device: .*|System: .*)$", RegexOptions.CultureInvariant)]
    private static partial Regex P9();

    [GeneratedRegex("[/\\\\]pyrogram[/\\\\]", RegexOptions.CultureInvariant)]
    private static partial Regex P10();

    [GeneratedRegex("^\\[ ?\\d+\\]\\[t ?\\d+\\]\\[[\\d.]+\\]\\[ConnectionCreator\\.cpp:\\d+\\](?:\\[#\\d+\\])?\\[!ConnectionCreator\\](?:\\[&\\w+\\])?\\t.*: \\[PosixError : [^\\]]*? : (?<errno>\\d+) : .*$", RegexOptions.CultureInvariant)]
    private static partial Regex P11();

    [GeneratedRegex("^\\[ ?\\d+\\]\\[t ?\\d+\\]\\[[\\d.]+\\]\\[ConnectionCreator\\.cpp:\\d+\\](?:\\[#\\d+\\])?\\[!ConnectionCreator\\](?:\\[&connections\\])?\\tFailed connection \\((?:un)?checked\\) \\[Error : \\d+ : Connection timeout expired\\] .*$", RegexOptions.CultureInvariant)]
    private static partial Regex P12();

    [GeneratedRegex("^\\[ ?\\d+\\]\\[t ?\\d+\\]\\[[\\d.]+\\]\\[ConnectionCreator\\.cpp:\\d+\\](?:\\[#\\d+\\])?\\[!ConnectionCreator\\](?:\\[&connections\\])?\\tFailed connection \\((?:un)?checked\\) \\[(?:Posix)?Error : .*$", RegexOptions.CultureInvariant)]
    private static partial Regex P13();

    [GeneratedRegex("^\\[ ?\\d+\\]\\[t ?\\d+\\]\\[[\\d.]+\\]\\[ConnectionCreator\\.cpp:\\d+\\](?:\\[#\\d+\\])?\\[!PingActor<[^\\t]*>\\]\\[&connections\\]\\tFailed connection \\(checked\\) \\[PosixError : [^\\]]*? : (?<errno>\\d+) : .*$", RegexOptions.CultureInvariant)]
    private static partial Regex P14();

    [GeneratedRegex("^\\[ ?\\d+\\]\\[t ?\\d+\\]\\[[\\d.]+\\]\\[Session\\.cpp:\\d+\\](?:\\[#\\d+\\])?\\[!Session:[\\w:]+::HandshakeActor\\]\\tFailed to open connection: \\[PosixError : [^\\]]*? : (?<errno>\\d+) : .*$", RegexOptions.CultureInvariant)]
    private static partial Regex P15();

    [GeneratedRegex("^\\[ ?\\d+\\]\\[t ?\\d+\\]\\[[\\d.]+\\]\\[ConnectionCreator\\.cpp:\\d+\\](?:\\[#\\d+\\])?\\[!ConnectionCreator\\]\\[&connections\\]\\t.*$", RegexOptions.CultureInvariant)]
    private static partial Regex P16();

    [GeneratedRegex("^\\[ ?\\d+\\]\\[t ?\\d+\\]\\[[\\d.]+\\]\\[ConfigManager\\.cpp:\\d+\\](?:\\[#\\d+\\])?\\[!Recoverer\\](?:\\[&config_recoverer\\])?\\tFailed to connect for [\\d.]+ seconds$", RegexOptions.CultureInvariant)]
    private static partial Regex P17();

    [GeneratedRegex("^(?:[\\w\\s:,.\\[\\]/|-]*?\\btelethon\\.network\\.mtprotosender\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?Attempt \\d+ at connecting failed: (?<type>[\\w.]+): (?:\\[Errno (?<errno>\\d+)\\] )?.*$", RegexOptions.CultureInvariant)]
    private static partial Regex P18();

    [GeneratedRegex("^(?:[\\w\\s:,.\\[\\]/|-]*?\\btelethon\\.network\\.mtprotosender\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?Attempt \\d+ at connecting failed: (?<type>[\\w.]+): .*$", RegexOptions.CultureInvariant)]
    private static partial Regex P19();

    [GeneratedRegex("^(?:[\\w\\s:,.\\[\\]/|-]*?\\btelethon\\.network\\.mtprotosender\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+))?Connection error \\d+ during auth_key gen: (?<type>[\\w.]+): (?:\\[Errno (?<errno>\\d+)\\] )?.*$", RegexOptions.CultureInvariant)]
    private static partial Regex P20();

    [GeneratedRegex("^[\\w\\s:,.\\[\\]/|-]*?\\btelethon\\.network\\.connection\\.connection\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+)<class '(?<type>[\\w.]+)'> during disconnect: (?:\\[Errno (?<errno>\\d+)\\] )?.*$", RegexOptions.CultureInvariant)]
    private static partial Regex P21();

    [GeneratedRegex("^[\\w\\s:,.\\[\\]/|-]*?\\btelethon\\.network\\.mtprotosender\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+)Failed reconnection attempt \\d+ with (?<type>[\\w.]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex P22();

    [GeneratedRegex("^[\\w\\s:,.\\[\\]/|-]*?\\btelethon\\.network\\.(?:mtprotosender|connection\\.connection)\\b(?:\\s*[:|\\]-]\\s*(?:[A-Z]+\\s*[:|\\]-]\\s*)?|\\s+)(?:Connecting to \\S+\\.\\.\\.|Connection to \\S+ complete!|Disconnecting from \\S+\\.\\.\\.|Disconnection from \\S+ complete!|Not disconnecting \\(already have no connection\\)|Closing current connection to begin reconnect\\.\\.\\.|Connection closed while (?:receiving|sending) data|The server closed the connection(?: while sending)?|Graceful disconnection timed out, forcibly ignoring cleanup)$", RegexOptions.CultureInvariant)]
    private static partial Regex P23();

    [GeneratedRegex("^(?:\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\[[TDIWE!]\\] )?SocketException (?<type>\\w+) \\(\\d+\\): .*$", RegexOptions.CultureInvariant)]
    private static partial Regex P24();

    [GeneratedRegex("^(?:\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\[[TDIWE!]\\] )?SocketException (?<type>TimedOut) \\(\\d+\\): .*$", RegexOptions.CultureInvariant)]
    private static partial Regex P25();

    [GeneratedRegex("^(?:\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\[[TDIWE!]\\] )?\\d+>An exception occured in the reactor: WTelegram\\.WTException: Could not read (?:payload length|frame data) : Connection shut down$", RegexOptions.CultureInvariant)]
    private static partial Regex P26();

    [GeneratedRegex("^(?:\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\[[TDIWE!]\\] )?(?:Connecting to (?:\\d{1,3}(?:\\.\\d{1,3}){3}|\\[[0-9a-fA-F:]+\\]):\\d+\\.\\.\\.|Connecting to DC \\d+ via MTProxy \\S+\\.\\.\\.|Connected to (?:Test )?DC \\d+\\.\\.\\. .*|\\d+>Alt DC disconnected: .*)$", RegexOptions.CultureInvariant)]
    private static partial Regex P27();
}
