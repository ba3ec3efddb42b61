using System.Management.Automation;
using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.UnitTests;

/// <summary>
/// The mapping from what the engine throws to the public exception family, without a runspace. The
/// public ids are literals here on purpose: they are the contract scripts match on.
/// </summary>
public sealed class ErrorFamilyTests
{
    /// <summary>Every engine kind, by name, with the public kind and error id it must become.</summary>
    private static readonly Dictionary<string, (IntercomFailureKind Kind, string Id, ErrorCategory Category)> ExpectedByEngineKind = new()
    {
        ["ContactNotFound"] = (IntercomFailureKind.ContactNotFound, "IntercomContactNotFound", ErrorCategory.ObjectNotFound),
        ["SubscriptionTypeNotFound"] = (IntercomFailureKind.SubscriptionTypeNotFound, "IntercomSubscriptionTypeNotFound", ErrorCategory.ObjectNotFound),
        ["NotFound"] = (IntercomFailureKind.NotFound, "IntercomNotFound", ErrorCategory.ObjectNotFound),
        ["Unauthorized"] = (IntercomFailureKind.Unauthorized, "IntercomUnauthorized", ErrorCategory.AuthenticationError),
        ["Forbidden"] = (IntercomFailureKind.Forbidden, "IntercomForbidden", ErrorCategory.PermissionDenied),
        ["InvalidRequest"] = (IntercomFailureKind.InvalidRequest, "IntercomInvalidRequest", ErrorCategory.InvalidArgument),
        ["RateLimited"] = (IntercomFailureKind.RateLimited, "IntercomRateLimited", ErrorCategory.LimitsExceeded),
        ["ServerError"] = (IntercomFailureKind.ServerError, "IntercomServerError", ErrorCategory.ResourceUnavailable),
        ["ConnectionFailed"] = (IntercomFailureKind.ConnectionFailed, "IntercomConnectionFailed", ErrorCategory.ConnectionError),
        ["Timeout"] = (IntercomFailureKind.Timeout, "IntercomTimeout", ErrorCategory.OperationTimeout),
        ["InvalidResponse"] = (IntercomFailureKind.InvalidResponse, "IntercomInvalidResponse", ErrorCategory.InvalidResult),
    };

    // By name: the engine's enum is internal, and a theory's parameters are public.
    public static IEnumerable<object[]> EngineKinds => Enum.GetNames<IntercomErrorKind>().Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(EngineKinds))]
    public void Every_engine_error_kind_becomes_its_own_public_kind_id_and_category(string engineKindName)
    {
        var engineKind = Enum.Parse<IntercomErrorKind>(engineKindName);
        Assert.True(ExpectedByEngineKind.TryGetValue(engineKind.ToString(), out var expected),
            $"The engine's kind {engineKind} has no public meaning in this test: map it in EngineFailureKinds and add it here.");
        var failure = new IntercomApiException(engineKind, "It failed", 418, "some_code", "req-1");

        var record = IntercomErrors.ToErrorRecord(failure, "target", "Contact 'ada@example.com'", contactKey: "ada@example.com");

        var shown = Assert.IsType<IntercomRequestException>(record.Exception);
        Assert.Equal((expected.Kind, expected.Id, expected.Category), (shown.Kind, shown.ErrorId, shown.Category));
        Assert.Equal(expected.Id, record.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(expected.Category, record.CategoryInfo.Category);
        Assert.Equal((418, "some_code", "req-1", "ada@example.com"), (shown.StatusCode, shown.ErrorCode, shown.RequestId, shown.ContactKey));
        Assert.Equal("Contact 'ada@example.com': It failed (HTTP 418, code some_code, request_id req-1)", record.ErrorDetails.Message);
    }

    [Fact]
    public void Every_engine_kind_has_a_distinct_public_kind()
    {
        var mapped = Enum.GetValues<IntercomErrorKind>().Select(EngineFailureKinds.ToPublic).ToList();
        Assert.Equal(mapped.Count, mapped.Distinct().Count());
        Assert.DoesNotContain(IntercomFailureKind.Other, mapped);
    }

    [Fact]
    public void Every_exception_type_of_the_cmdlet_assembly_is_of_the_family()
    {
        var exceptions = typeof(IntercomException).Assembly.GetTypes()
            .Where(t => typeof(Exception).IsAssignableFrom(t) && !t.IsNested && t.IsPublic).ToList();

        Assert.Contains(typeof(IntercomRequestException), exceptions);
        Assert.All(exceptions, t => Assert.True(typeof(IntercomException).IsAssignableFrom(t), $"{t.Name} is not an IntercomException"));
        // Closed: no script or other assembly can add members that break the catch's promises.
        Assert.All(typeof(IntercomException).GetConstructors(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic),
            c => Assert.True(c.IsAssembly || c.IsFamilyAndAssembly, $"{c} can be called from outside the assembly"));
    }

    [Theory]
    [InlineData(typeof(ObjectDisposedException), "IntercomConnectionClosed", IntercomFailureKind.ConnectionClosed, typeof(IntercomNotConnectedException))]
    [InlineData(typeof(ArgumentException), "IntercomInvalidArgument", IntercomFailureKind.InvalidInput, typeof(IntercomInputException))]
    [InlineData(typeof(NullReferenceException), "IntercomUnexpectedError", IntercomFailureKind.Other, typeof(IntercomUnexpectedException))]
    public void Other_exceptions_become_members_of_the_family(Type thrown, string id, IntercomFailureKind kind, Type shownType)
    {
        var exception = thrown == typeof(ObjectDisposedException) ? new ObjectDisposedException("client", "closed") : (Exception)Activator.CreateInstance(thrown, "went wrong")!;

        var shown = IntercomErrors.Public(exception);

        Assert.IsType(shownType, shown);
        Assert.Equal((id, kind), (shown.ErrorId, shown.Kind));
        Assert.Equal(thrown == typeof(NullReferenceException) ? exception : null, shown.InnerException);
    }

    [Fact]
    public void An_engine_exception_that_is_no_api_failure_is_an_unclassified_request_failure_and_never_an_inner_exception()
    {
        var exception = new AttemptTimedOutException(TimeSpan.FromSeconds(30));

        var shown = IntercomErrors.Public(exception);

        Assert.IsType<IntercomRequestException>(shown);
        Assert.Equal(("IntercomError", IntercomFailureKind.Other), (shown.ErrorId, shown.Kind));
        Assert.Null(shown.InnerException);
    }

    [Fact]
    public void A_failure_shared_by_several_records_names_each_records_contact_on_its_own_copy()
    {
        var shared = new ContactResolutionException("No contact", ambiguous: false);

        var first = (IntercomException)IntercomErrors.ForContact(shared, "ada@example.com");
        var second = (IntercomException)IntercomErrors.ForContact(shared, "grace@example.com");

        Assert.Equal(("ada@example.com", "grace@example.com"), (first.ContactKey, second.ContactKey));
        Assert.Null(shared.ContactKey);
        // A failure that already names its contact keeps it.
        Assert.Equal("ada@example.com", ((IntercomException)IntercomErrors.ForContact(first, "other")).ContactKey);
        // Cancellation is not a record's failure: it passes as it is.
        var cancelled = new OperationCanceledException();
        Assert.Same(cancelled, IntercomErrors.ForContact(cancelled, "ada@example.com"));
    }

    [Fact]
    public void The_summarys_lean_copy_keeps_the_failures_id_kind_status_request_id_and_contact()
    {
        var record = IntercomErrors.ToErrorRecord(new IntercomApiException(IntercomErrorKind.RateLimited, "Slow down", 429, "rate_limit_exceeded", "req-9"),
            "row", "Contact 'u-1'", contactKey: "u-1");

        var lean = RunSummaryCollector.Lean(record);

        var kept = Assert.IsType<IntercomRecordException>(lean.Exception);
        Assert.Equal(("IntercomRateLimited", IntercomFailureKind.RateLimited, 429, "rate_limit_exceeded", "req-9", "u-1"),
            (kept.ErrorId, kept.Kind, kept.StatusCode, kept.ErrorCode, kept.RequestId, kept.ContactKey));
        Assert.Equal(record.ErrorDetails.Message, kept.Message);
        Assert.StartsWith("IntercomRateLimited", lean.FullyQualifiedErrorId);
    }

    [Fact]
    public void An_exception_that_ends_a_command_unhandled_still_gives_PowerShell_its_stable_id()
    {
        var escaping = (IContainsErrorRecord)IntercomErrors.Public(new IntercomApiException(IntercomErrorKind.ServerError, "down", 503));

        Assert.Equal("IntercomServerError", escaping.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, escaping.ErrorRecord.CategoryInfo.Category);
        Assert.Equal("Intercom had a transient failure; run the failed records again.", escaping.ErrorRecord.ErrorDetails.RecommendedAction);
    }
}
