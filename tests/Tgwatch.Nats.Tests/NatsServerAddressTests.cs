using Tgwatch.Nats.Sink;

namespace Tgwatch.Nats.Tests;

public sealed class NatsServerAddressTests
{
    [Fact]
    public void Credentials_AreKeptApart_AndReachNeitherTheLogFormNorTheSinksName()
    {
        Assert.True(NatsServerAddress.TryParse("nats://alice:s3cret-pass@127.0.0.1:4333?stream=WATCH", out var address, out var error, NatsSinkOptions.AddressOptions), error);
        Assert.Equal("alice", address!.User);
        Assert.Equal("s3cret-pass", address.Password);
        Assert.Equal("nats://127.0.0.1:4333", address.ForLog);
        Assert.Equal(new Uri("nats://127.0.0.1:4333"), address.Server);
        Assert.True(NatsSinkOptions.FromAddress(address, out var options, out error), error);
        Assert.Equal("WATCH", options.Stream);
        Assert.DoesNotContain("s3cret", options.Name, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", options.Name, StringComparison.Ordinal);
        Assert.Equal("nats:nats://127.0.0.1:4333/WATCH", options.Name);
    }

    [Fact]
    public void AnAddressWithoutPort_TakesNatsServersDefault()
    {
        Assert.True(NatsServerAddress.TryParse("nats://localhost", out var address, out _));
        Assert.Equal("nats://localhost:4222", address!.ForLog);
        Assert.Null(address.User);
    }

    [Theory]
    [InlineData("http://127.0.0.1:4222", "expected a nats-server address")]
    [InlineData("nats://127.0.0.1:4222/x", "has no path")]
    [InlineData("nats://127.0.0.1:4222?streem=X", "'streem' is not one of its options")]
    public void WhatIsNoAddress_IsOneLine(string text, string expected)
    {
        Assert.False(NatsServerAddress.TryParse(text, out _, out var error, NatsSinkOptions.AddressOptions));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Theory]
    [InlineData("nats://h:1?stream=a.b", "is not a stream name")]
    [InlineData("nats://h:1?subject=tg.>", "is not a subject prefix")]
    [InlineData("nats://h:1?duplicate_window=soon", "is not a duration")]
    public void BadOptions_AreSaid(string text, string expected)
    {
        Assert.True(NatsServerAddress.TryParse(text, out var address, out _, NatsSinkOptions.AddressOptions));
        Assert.False(NatsSinkOptions.FromAddress(address!, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void DurationsAndSubjects_OfTheQuery_AreRead()
    {
        Assert.True(NatsServerAddress.TryParse("nats://h:1?subject=tg.watch&duplicate_window=2h", out var address, out _, NatsSinkOptions.AddressOptions));
        Assert.True(NatsSinkOptions.FromAddress(address!, out var options, out _));
        Assert.Equal("tg.watch", options.Subject);
        Assert.Equal(TimeSpan.FromHours(2), options.DuplicateWindow);
    }

    [Fact]
    public void SubjectOfARecord_IsPrefixAccountChat_WithTheAccountMadeOneToken()
    {
        var m = TestKit.SomeMessage.New(7, account: "acct.with dots*");
        Assert.Equal("tgwatch.acct_with_dots_.-1001234567890", Subjects.Of("tgwatch", m));
        Assert.Equal(m.Key, Subjects.MessageId(m));
        var cyrillic = TestKit.SomeMessage.New(7, account: "аккаунт");
        Assert.StartsWith("sha256:", Subjects.MessageId(cyrillic), StringComparison.Ordinal);
        Assert.Equal(Subjects.MessageId(cyrillic), Subjects.MessageId(TestKit.SomeMessage.New(7, account: "аккаунт")));
    }
}
