namespace IntercomSubscriptions.Tests;

public sealed class SubscriptionTypeTests : IntercomTestBase
{
    [Fact]
    public void Lists_every_type_as_a_typed_object()
    {
        Connect();
        var result = Run("Get-IntercomSubscriptionType");
        Assert.Empty(result.Errors);
        var types = result.Objects("IntercomSubscriptions.SubscriptionType").ToList();
        Assert.Equal(["108", "109", "110", "111"], types.Select(t => (string)t.Id));
        var updates = types[1];
        Assert.Equal("Product updates", updates.Name);
        Assert.Equal("opt_out", updates.ConsentType);
        Assert.Equal("live", updates.State);
        Assert.Equal(["email"], (IEnumerable<string>)updates.ContentTypes);
        Assert.Contains(((System.Collections.IEnumerable)updates.Translations).Cast<object>().Select(t => new PSView((System.Management.Automation.PSObject.AsPSObject(t)))), t => (string)((dynamic)t).Locale == "fr");
    }

    [Theory]
    [InlineData("-Name '*update*'", new[] { "109" })]
    [InlineData("-Name newsletters", new[] { "108" })]
    [InlineData("-ConsentType opt_out", new[] { "109", "111" })]
    [InlineData("-State archived", new[] { "111" })]
    [InlineData("-Id 110,108", new[] { "108", "110" })]
    [InlineData("-ConsentType opt_in -State live", new[] { "108", "110" })]
    public void Filters_narrow_the_list(string filter, string[] expected)
    {
        Connect();
        var result = Run($"Get-IntercomSubscriptionType {filter}");
        Assert.Empty(result.Errors);
        Assert.Equal(expected, result.Objects("IntercomSubscriptions.SubscriptionType").Select(t => (string)t.Id));
    }

    [Fact]
    public void An_unknown_id_is_ObjectNotFound_naming_it()
    {
        Connect();
        var result = Run("Get-IntercomSubscriptionType -Id 108,999");
        var error = Assert.Single(result.Errors);
        Assert.Equal(System.Management.Automation.ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("999", error.ToString());
        Assert.Single(result.Output);
    }

    [Fact]
    public void Unknown_fields_and_enum_values_are_kept_not_fatal()
    {
        Server.State.AddSubscriptionType("130", "Carrier pigeons", "double_opt_in", "paused", ["carrier_pigeon"]);
        Connect();
        var result = Run("Get-IntercomSubscriptionType -Id 130");
        Assert.Empty(result.Errors);
        var type = Assert.Single(result.Objects("IntercomSubscriptions.SubscriptionType"));
        Assert.Equal("double_opt_in", type.ConsentType);
        Assert.Equal("paused", type.State);
        Assert.Equal(["carrier_pigeon"], (IEnumerable<string>)type.ContentTypes);
    }
}
