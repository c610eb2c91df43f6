using System.Runtime.CompilerServices;
using System.Text;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Native;

namespace Tgwatch.Tdlib.Tests.Functions;

/// <summary>The JSON TDLib receives for each function record: field names and order as td_api.tl has them, objects of a TDLib class in a field with their @type.</summary>
public sealed class TdFunctionJsonTests
{
    public static TheoryData<TdFunction, string> Requests => new()
    {
        {
            new TdlibParameters("/var/lib/tgwatch/tdlib", 94575, "a3406de8d171bb422bb6ddf3bbd800e2").ToRequest(),
            """{"@type":"setTdlibParameters","use_test_dc":false,"database_directory":"/var/lib/tgwatch/tdlib","files_directory":"","database_encryption_key":"","use_file_database":false,"use_chat_info_database":true,"use_message_database":true,"use_secret_chats":false,"api_id":94575,"api_hash":"a3406de8d171bb422bb6ddf3bbd800e2","system_language_code":"en","device_model":"Tgwatch","system_version":"","application_version":"0.1"}"""
        },
        {
            new TdlibParameters("/d", 1, "h") { FilesDirectory = "/f", UseTestDc = true, UseMessageDatabase = false, DeviceModel = "m", ApplicationVersion = "2.0" }.ToRequest(),
            """{"@type":"setTdlibParameters","use_test_dc":true,"database_directory":"/d","files_directory":"/f","database_encryption_key":"","use_file_database":false,"use_chat_info_database":true,"use_message_database":false,"use_secret_chats":false,"api_id":1,"api_hash":"h","system_language_code":"en","device_model":"m","system_version":"","application_version":"2.0"}"""
        },
        {
            new GetChatHistory(-1001234567890, 80740352, -99, 100, OnlyLocal: false),
            """{"@type":"getChatHistory","chat_id":-1001234567890,"from_message_id":80740352,"offset":-99,"limit":100,"only_local":false}"""
        },
        { new GetRepliedMessage(-5, 1048576), """{"@type":"getRepliedMessage","chat_id":-5,"message_id":1048576}""" },
        { new SetAuthenticationPhoneNumber("+15550100000"), """{"@type":"setAuthenticationPhoneNumber","phone_number":"\u002B15550100000","settings":null}""" },
        {
            new SetAuthenticationPhoneNumber("+15550100000", new PhoneNumberAuthenticationSettings(false, true, false, false, ["t1"])),
            """{"@type":"setAuthenticationPhoneNumber","phone_number":"\u002B15550100000","settings":{"allow_flash_call":false,"allow_missed_call":true,"is_current_phone_number":false,"has_unknown_phone_number":false,"authentication_tokens":["t1"]}}"""
        },
        { new RequestQrCodeAuthentication([]), """{"@type":"requestQrCodeAuthentication","other_user_ids":[]}""" },
        { new CheckAuthenticationBotToken("123:abc"), """{"@type":"checkAuthenticationBotToken","token":"123:abc"}""" },
        { new LoadChats(new ChatListArchive(), 100), """{"@type":"loadChats","chat_list":{"@type":"chatListArchive"},"limit":100}""" },
        { new GetChats(new ChatListMain(), 10000), """{"@type":"getChats","chat_list":{"@type":"chatListMain"},"limit":10000}""" },
        { new SearchChats("news", TypeFilter: null, 10000), """{"@type":"searchChats","query":"news","type_filter":null,"limit":10000}""" },
        {
            new SearchChats("news", new SearchChatTypeFilterChannel(), 5),
            """{"@type":"searchChats","query":"news","type_filter":{"@type":"searchChatTypeFilterChannel"},"limit":5}"""
        },
        { new GetSupergroup(1234567890), """{"@type":"getSupergroup","supergroup_id":1234567890}""" },
        { new SetLogStream(new LogStreamEmpty()), """{"@type":"setLogStream","log_stream":{"@type":"logStreamEmpty"}}""" },
        { new SetLogTagVerbosityLevel("connections", 3), """{"@type":"setLogTagVerbosityLevel","tag":"connections","new_verbosity_level":3}""" },
        { new GetOption("version"), """{"@type":"getOption","name":"version"}""" },
        {
            new AddProxy(new Proxy("127.0.0.1", 1080, new ProxyTypeSocks5("", "")), Enable: true, Comment: ""),
            """{"@type":"addProxy","proxy":{"server":"127.0.0.1","port":1080,"type":{"@type":"proxyTypeSocks5","username":"","password":""}},"enable":true,"comment":""}"""
        },
        {
            new ParseTextEntities("Привет *мир*", new TextParseModeMarkdown(2)),
            """{"@type":"parseTextEntities","text":"\u041F\u0440\u0438\u0432\u0435\u0442 *\u043C\u0438\u0440*","parse_mode":{"@type":"textParseModeMarkdown","version":2}}"""
        },
        { new GetMe(), """{"@type":"getMe"}""" },
        { new Close(), """{"@type":"close"}""" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void A_function_is_written_as_tdlib_reads_it(TdFunction request, string json)
    {
        Assert.Equal(json, request.ToJson());
        Assert.Equal(json + "\0", Encoding.UTF8.GetString(RequestText.Of(request)));
    }

    [Fact]
    public void The_client_adds_its_extra_last_and_only_when_set()
    {
        var request = new GetChat(-1001234567890);
        Assert.Equal("""{"@type":"getChat","chat_id":-1001234567890,"@extra":"17"}""" + "\0", Encoding.UTF8.GetString(RequestText.Of(request with { Extra = "17" })));
        Assert.Equal("""{"@type":"getChat","chat_id":-1001234567890}""", request.ToJson());
    }

    [Fact]
    public void Every_function_is_named_as_td_api_names_it()
    {
        var functions = typeof(TdFunction).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(TdFunction)) && !t.IsAbstract).ToList();
        Assert.True(functions.Count >= 28, $"{functions.Count} functions");
        Assert.All(functions, t =>
        {
            var function = (TdFunction)RuntimeHelpers.GetUninitializedObject(t);
            Assert.Equal(char.ToLowerInvariant(t.Name[0]) + t.Name[1..], function.TypeName);
        });
    }

    [Fact]
    public void A_function_prints_its_name_and_never_its_fields()
    {
        Assert.Equal("checkAuthenticationPassword", new CheckAuthenticationPassword("hunter2 secret").ToString());
        var parameters = new TdlibParameters("/d", 1, "a3406de8d171bb422bb6ddf3bbd800e2").ToRequest();
        Assert.Equal("setTdlibParameters", parameters.ToString());
        Assert.Equal("setTdlibParameters", $"{parameters}");
    }
}
