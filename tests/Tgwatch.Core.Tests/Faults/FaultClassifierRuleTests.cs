using System.Net.Sockets;
using Tgwatch.Faults;

namespace Tgwatch.Core.Tests.Faults;

public sealed class FaultClassifierRuleTests
{
    [Fact]
    public void Classify_RuleKnowsTheException_RuleDecides()
    {
        var classifier = new FaultClassifier([new LibraryRule()]);

        var fault = classifier.Classify(new LibraryException(LibraryException.AuthFailed));

        Assert.Equal(FaultKind.Auth, fault.Kind);
    }

    [Fact]
    public void Classify_RuleMatchesWrappedAndAggregatedExceptions()
    {
        var classifier = new FaultClassifier([new LibraryRule()]);
        var wrapped = new AggregateException(
            new SocketException((int)SocketError.ConnectionReset),
            new Exception("wrapper", new LibraryException(LibraryException.AuthFailed)));

        Assert.Equal(FaultKind.Auth, classifier.Classify(wrapped).Kind);
    }

    [Fact]
    public void Classify_RuleIsConsultedBeforeTheBuiltInRules()
    {
        var classifier = new FaultClassifier([new EverySocketErrorIsRateLimited()]);

        var fault = classifier.Classify(new SocketException((int)SocketError.ConnectionReset));

        Assert.Equal(new Fault(FaultKind.RateLimited, TimeSpan.FromSeconds(1)), fault);
    }

    [Fact]
    public void Classify_RuleDeclines_BuiltInRulesDecide()
    {
        var classifier = new FaultClassifier([new LibraryRule()]);

        Assert.Equal(FaultKind.Network, classifier.Classify(new SocketException((int)SocketError.ConnectionReset)).Kind);
        Assert.Equal(FaultKind.Bug, classifier.Classify(new LibraryException(code: 999)).Kind);
    }

    [Fact]
    public void Constructor_NullRule_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new FaultClassifier([null!]));
    }

    [Fact]
    public void Default_HasNoRules()
    {
        Assert.Equal(FaultKind.Bug, FaultClassifier.Default.Classify(new LibraryException(LibraryException.AuthFailed)).Kind);
    }

    [Fact]
    public void Register_TeachesDefaultAndEveryClassifier_AfterTheirOwnRules()
    {
        var own = new FaultClassifier([new LibraryRule()]);
        Assert.Equal(FaultKind.Bug, FaultClassifier.Default.Classify(new RegisteredLibraryException()).Kind);

        FaultClassifier.Register(new RegisteredLibraryRule());
        FaultClassifier.Register(new RegisteredLibraryRule());

        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(new RegisteredLibraryException()).Kind);
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(new Exception("wrapper", new RegisteredLibraryException())).Kind);
        Assert.Equal(FaultKind.Resource, own.Classify(new RegisteredLibraryException()).Kind);
        Assert.Equal(FaultKind.Auth, own.Classify(new LibraryException(LibraryException.AuthFailed)).Kind);
    }

    private sealed class RegisteredLibraryException() : Exception("disk of the library full");

    private sealed class RegisteredLibraryRule : IFaultRule
    {
        public Fault? TryClassify(Exception exception) => exception is RegisteredLibraryException ? new Fault(FaultKind.Resource) : null;
    }

    private sealed class LibraryException(int code) : Exception("library failure")
    {
        public const int AuthFailed = 7;

        public int Code { get; } = code;
    }

    private sealed class LibraryRule : IFaultRule
    {
        public Fault? TryClassify(Exception exception) =>
            exception is LibraryException { Code: LibraryException.AuthFailed } ? new Fault(FaultKind.Auth) : null;
    }

    private sealed class EverySocketErrorIsRateLimited : IFaultRule
    {
        public Fault? TryClassify(Exception exception) =>
            exception is SocketException ? new Fault(FaultKind.RateLimited, TimeSpan.FromSeconds(1)) : null;
    }
}
