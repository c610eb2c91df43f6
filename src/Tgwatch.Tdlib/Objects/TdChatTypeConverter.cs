using System.Text.Json;

namespace Tgwatch.Tdlib.Objects;

/// <summary>Reads <c>ChatType</c>.</summary>
internal sealed class TdChatTypeConverter : TdUnionConverter<TdChatType, TdChatTypeConverter.Fields>
{
    private const int Private = 0, BasicGroup = 1, Supergroup = 2, Secret = 3;

    internal struct Fields
    {
        public long? Id;
        public bool? IsChannel;
        public int? SecretChatId;
    }

    /// <inheritdoc />
    protected override string Name => "ChatType";

    /// <inheritdoc />
    protected override int Match(ref Utf8JsonReader type) =>
        type.ValueTextEquals("chatTypePrivate"u8) ? Private
        : type.ValueTextEquals("chatTypeBasicGroup"u8) ? BasicGroup
        : type.ValueTextEquals("chatTypeSupergroup"u8) ? Supergroup
        : type.ValueTextEquals("chatTypeSecret"u8) ? Secret
        : -1;

    /// <inheritdoc />
    protected override bool ReadField(int constructor, ref Utf8JsonReader reader, ref Fields fields)
    {
        switch (constructor)
        {
            case Private or Secret when reader.ValueTextEquals("user_id"u8):
                fields.Id = TdValue.Int53(ref reader, "user_id");
                return true;
            case BasicGroup when reader.ValueTextEquals("basic_group_id"u8):
                fields.Id = TdValue.Int53(ref reader, "basic_group_id");
                return true;
            case Supergroup when reader.ValueTextEquals("supergroup_id"u8):
                fields.Id = TdValue.Int53(ref reader, "supergroup_id");
                return true;
            case Supergroup when reader.ValueTextEquals("is_channel"u8):
                fields.IsChannel = TdValue.Bool(ref reader, "is_channel");
                return true;
            case Secret when reader.ValueTextEquals("secret_chat_id"u8):
                fields.SecretChatId = TdValue.Int32(ref reader, "secret_chat_id");
                return true;
            default:
                return false;
        }
    }

    /// <inheritdoc />
    protected override TdChatType Create(int constructor, in Fields fields) => constructor switch
    {
        Private => new TdChatTypePrivate { UserId = Required(fields.Id, "chatTypePrivate", "user_id") },
        BasicGroup => new TdChatTypeBasicGroup { BasicGroupId = Required(fields.Id, "chatTypeBasicGroup", "basic_group_id") },
        Supergroup => new TdChatTypeSupergroup
        {
            SupergroupId = Required(fields.Id, "chatTypeSupergroup", "supergroup_id"),
            IsChannel = Required(fields.IsChannel, "chatTypeSupergroup", "is_channel"),
        },
        _ => new TdChatTypeSecret { UserId = Required(fields.Id, "chatTypeSecret", "user_id"), SecretChatId = fields.SecretChatId ?? 0 },
    };

    /// <inheritdoc />
    protected override TdChatType Unknown(string type) => new TdUnknownChatType(type);
}
