using System.Management.Automation;

namespace IntercomSubscriptions.UnitTests;

public sealed class SubscriptionTypeResolverTests
{
    private readonly List<ErrorRecord> _errors = new();
    private readonly List<bool> _fetches = new();
    private IReadOnlyList<SubscriptionType> _cached = new[] { Type("108", "Newsletter"), Type("109", "Product updates") };
    private readonly IReadOnlyList<SubscriptionType> _fresh = new[] { Type("108", "Newsletter"), Type("109", "Product updates"), Type("110", "Events") };

    private static SubscriptionType Type(string id, string name) => new() { Id = id, Name = name, ConsentType = "opt_in", State = "live" };

    private SubscriptionTypeResolver Resolver() => new(refresh =>
    {
        _fetches.Add(refresh);
        return refresh ? _fresh : _cached;
    }, _errors.Add);

    [Fact]
    public void By_id_and_by_name_ignoring_case_from_the_cache()
    {
        var resolver = Resolver();

        Assert.Equal("Newsletter", resolver.Resolve("108", null, idMayBeUnknown: false, null)!.Name);
        Assert.Equal("109", resolver.Resolve(null, "PRODUCT updates", idMayBeUnknown: false, null)!.Id);
        Assert.Equal([false, false], _fetches);
        Assert.Empty(_errors);
    }

    [Fact]
    public void A_miss_refreshes_the_list_once_per_run()
    {
        var resolver = Resolver();

        Assert.Equal("Events", resolver.Resolve("110", null, idMayBeUnknown: false, null)!.Name);
        Assert.Null(resolver.Resolve(null, "Nope", idMayBeUnknown: false, null));
        Assert.Equal([false, true, false], _fetches);
        var error = Assert.Single(_errors);
        Assert.Equal("IntercomSubscriptionTypeNotFound", error.FullyQualifiedErrorId);
        Assert.Contains("No subscription type is named 'Nope'. The workspace has: 108 'Newsletter', 109 'Product updates'.", error.ErrorDetails.Message);
    }

    [Fact]
    public void An_unknown_id_is_passed_on_bare_only_when_Intercom_may_decide()
    {
        var resolver = Resolver();

        var bare = resolver.Resolve("999", null, idMayBeUnknown: true, null);
        Assert.Equal("999", bare!.Id);
        Assert.Null(bare.Name);
        Assert.Empty(_errors);

        Assert.Null(resolver.Resolve("999", null, idMayBeUnknown: false, null));
        Assert.Contains("No subscription type has the id '999'", Assert.Single(_errors).ErrorDetails.Message);
    }

    [Fact]
    public void Two_types_with_one_name_are_an_error_naming_both()
    {
        _cached = new[] { Type("108", "Newsletter"), Type("120", "newsletter") };
        var row = new PSObject();

        Assert.Null(Resolver().Resolve(null, "Newsletter", idMayBeUnknown: true, row));

        var error = Assert.Single(_errors);
        Assert.Same(row, error.TargetObject);
        Assert.Contains("2 subscription types are named 'Newsletter': 108 (live, opt_in), 120 (live, opt_in)", error.ErrorDetails.Message);
    }

    [Fact]
    public void A_record_naming_no_type_gets_its_own_error_without_a_fetch()
    {
        var row = new PSObject();

        Assert.Null(Resolver().Resolve(null, null, idMayBeUnknown: true, row));

        Assert.Empty(_fetches);
        var error = Assert.Single(_errors);
        Assert.Equal("IntercomSubscriptionColumnMissing", error.FullyQualifiedErrorId);
        Assert.Same(row, error.TargetObject);
    }
}

public sealed class SubscriptionTypeResolverFetchFailureTests
{
    [Fact]
    public void A_failed_fetch_is_that_records_error_and_the_next_record_tries_again()
    {
        var errors = new List<ErrorRecord>();
        var calls = 0;
        var resolver = new SubscriptionTypeResolver(_ =>
        {
            calls++;
            if (calls == 1) throw new IntercomSubscriptions.Engine.IntercomApiException(IntercomSubscriptions.Engine.IntercomErrorKind.ServerError, "Service unavailable", 503);
            return new[] { new SubscriptionType { Id = "108", Name = "Newsletter", ConsentType = "opt_in" } };
        }, errors.Add);
        var row = new PSObject();

        Assert.Null(resolver.Resolve("108", null, idMayBeUnknown: false, row));
        Assert.Equal("108", resolver.Resolve("108", null, idMayBeUnknown: false, null)!.Id);

        var error = Assert.Single(errors);
        Assert.Same(row, error.TargetObject);
        Assert.Equal("IntercomServerError", error.FullyQualifiedErrorId);
        Assert.StartsWith("Could not read the workspace's subscription types: Service unavailable", error.ErrorDetails.Message);
    }

    [Fact]
    public void PowerShells_own_stop_passes_through()
    {
        var resolver = new SubscriptionTypeResolver(_ => throw new PipelineStoppedException(), _ => { });

        Assert.Throws<PipelineStoppedException>(() => resolver.Resolve("108", null, idMayBeUnknown: false, null));
    }
}
