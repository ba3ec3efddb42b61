namespace IntercomSubscriptions.Engine.Tests;

public sealed class AccessTokenTests
{
    [Theory]
    [InlineData("abc\0def", "U+0000")]
    [InlineData("abc\ndef", "U+000A")]
    [InlineData("abc\u001bdef", "U+001B")]
    [InlineData("\u007fabcdef", "U+007F")]
    public void A_token_with_a_control_character_is_refused_without_showing_it(string token, string shown)
    {
        var options = new IntercomClientOptions(new Uri("http://127.0.0.1/"));
        var error = Assert.Throws<ArgumentException>(() => new IntercomClient(options, EngineHarness.Secure(token)));

        Assert.Contains($"control character ({shown})", error.Message);
        Assert.DoesNotContain("abc", error.Message);
        Assert.DoesNotContain("def", error.Message);
    }

    [Fact]
    public void An_empty_token_is_refused_and_a_printable_one_accepted()
    {
        var options = new IntercomClientOptions(new Uri("http://127.0.0.1/"));
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => new IntercomClient(options, EngineHarness.Secure(""))).Message);
        using var client = new IntercomClient(options, EngineHarness.Secure(EngineHarness.Token));
    }
}
