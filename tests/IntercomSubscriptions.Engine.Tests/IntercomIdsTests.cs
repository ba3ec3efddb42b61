using IntercomSubscriptions.Engine;

namespace IntercomSubscriptions.Engine.Tests;

public sealed class IntercomIdsTests
{
    [Theory]
    [InlineData("63a07ddf05a32042dffac965")]
    [InlineData("u-1001")]
    [InlineData("a.b")]
    [InlineData("ada@example.com")]
    [InlineData("with inner space")]
    [InlineData("emoji-\U0001F600")] // a proper surrogate pair is text
    public void Problem_accepts_ordinary_ids(string id) => Assert.Null(IntercomIds.Problem(id, "contact id"));

    [Theory]
    [InlineData(null, "is empty")]
    [InlineData("", "is empty")]
    [InlineData("   ", "is empty")]
    [InlineData(" abc", "leading or trailing white space")]
    [InlineData("abc ", "leading or trailing white space")]
    [InlineData("a/b", "contains '/'")]
    [InlineData("a\\b", "contains '\\'")]
    [InlineData("a?b=1", "contains '?'")]
    [InlineData("a#b", "contains '#'")]
    [InlineData("a%2Fb", "contains '%'")]
    [InlineData(".", "dot segment")]
    [InlineData("..", "dot segment")]
    [InlineData("a..b", "dot segment")]
    public void Problem_refuses_ids_that_could_change_the_path(string? id, string expected)
    {
        var problem = IntercomIds.Problem(id, "contact id");
        Assert.NotNull(problem);
        Assert.Contains(expected, problem);
        Assert.StartsWith("The contact id", problem);
        if (!string.IsNullOrWhiteSpace(id))
            Assert.Contains($"'{id}'", problem); // names the value
    }

    [Fact]
    public void Problem_refuses_overlong_ids_and_shortens_them_in_the_message()
    {
        var id = new string('a', IntercomIds.MaxLength + 1);
        var problem = IntercomIds.Problem(id, "contact id");
        Assert.NotNull(problem);
        Assert.Contains($"is {IntercomIds.MaxLength + 1} characters long", problem);
        Assert.DoesNotContain(id, problem);
        Assert.Contains(new string('a', 40) + "…", problem);
        Assert.Null(IntercomIds.Problem(new string('a', IntercomIds.MaxLength), "contact id"));
    }

    [Theory]
    [InlineData("abc\u0007", "control character (U+0007)", "abc\\u0007")]
    [InlineData("abc\ndef", "control character (U+000A)", "abc\\u000adef")]
    [InlineData("\u001b[31mred", "control character (U+001B)", "\\u001b[31mred")]
    [InlineData("abc\u200Bdef", "invisible formatting character (U+200B)", "abc\\u200bdef")]
    [InlineData("\u202Eevil", "invisible formatting character (U+202E)", "\\u202eevil")]
    public void Problem_shows_invisible_characters_escaped(string id, string expected, string shown) =>
        AssertShownEscaped(id, expected, shown);

    // Lone surrogates do not survive theory-data serialization, so they are spelled out here.
    [Fact]
    public void Problem_refuses_lone_surrogates_and_shows_them_escaped()
    {
        AssertShownEscaped("abc\uD800", "lone surrogate (U+D800)", "abc\\ud800");
        AssertShownEscaped("\uDC00abc", "lone surrogate (U+DC00)", "\\udc00abc");
        AssertShownEscaped("\uDC00\uD800", "lone surrogate (U+DC00)", "\\udc00\\ud800"); // pair in the wrong order
    }

    private static void AssertShownEscaped(string id, string expected, string shown)
    {
        var problem = IntercomIds.Problem(id, "contact id");
        Assert.NotNull(problem);
        Assert.Contains(expected, problem);
        Assert.Contains($"'{shown}'", problem);
        // Ordinal: the default culture-aware comparison ignores control and formatting characters.
        Assert.False(problem.Contains(id, StringComparison.Ordinal));
        Assert.DoesNotContain(problem, c => char.IsControl(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
    }

    [Theory]
    [InlineData("108")]
    [InlineData("0")]
    [InlineData("12345678901234567890")]
    public void SubscriptionTypeIdProblem_accepts_numbers(string id) => Assert.Null(IntercomIds.SubscriptionTypeIdProblem(id));

    [Theory]
    [InlineData("Newsletters", "is not a number")]
    [InlineData("-1", "is not a number")]
    [InlineData("1.5", "is not a number")]
    [InlineData("108a", "is not a number")]
    [InlineData("\u0661\u0660\u0668", "is not a number")] // Arabic-Indic digits are not Intercom ids
    [InlineData("123456789012345678901", "is not a number")]
    [InlineData("", "is empty")]
    [InlineData(null, "is empty")]
    [InlineData("1/2", "contains '/'")]
    public void SubscriptionTypeIdProblem_refuses_anything_else(string? id, string expected)
    {
        var problem = IntercomIds.SubscriptionTypeIdProblem(id);
        Assert.NotNull(problem);
        Assert.Contains(expected, problem);
        Assert.Contains("subscription type id", problem);
        if (!string.IsNullOrEmpty(id))
            Assert.Contains($"'{id}'", problem);
    }

    [Fact]
    public void SubscriptionTypeIdProblem_shows_what_an_id_looks_like_without_naming_a_cmdlet()
    {
        // Which cmdlet lists the ids is the cmdlet layer's advice (its validator adds it).
        var problem = IntercomIds.SubscriptionTypeIdProblem("Newsletters");
        Assert.Contains("ids look like 108", problem);
        Assert.DoesNotContain("Get-Intercom", problem);
        var ex = Assert.Throws<ArgumentException>(() => IntercomIds.RequireSubscriptionTypeId("Newsletters"));
        Assert.Contains("'Newsletters' is not a number", ex.Message);
        Assert.Equal("108", IntercomIds.RequireSubscriptionTypeId("108"));
    }

    [Theory]
    [InlineData("ada@example.com")]
    [InlineData("team/42?x#y%")] // travels in a JSON body, so path characters are fine
    [InlineData(" padded ")]
    public void LookupValueProblem_accepts_printable_values(string value) => Assert.Null(IntercomIds.LookupValueProblem(value, "email"));

    [Theory]
    [InlineData(null, "The email is empty.")]
    [InlineData("", "The email is empty.")]
    [InlineData(" ", "The email is empty.")]
    public void LookupValueProblem_refuses_empty_values(string? value, string expected) =>
        Assert.Equal(expected, IntercomIds.LookupValueProblem(value, "email"));

    [Fact]
    public void LookupValueProblem_refuses_control_characters_and_shows_them_escaped()
    {
        var problem = IntercomIds.LookupValueProblem("ada@example.com\r\nBcc: eve", "email");
        Assert.NotNull(problem);
        Assert.Contains("control character (U+000D)", problem);
        Assert.Contains("'ada@example.com\\u000d\\u000aBcc: eve'", problem);
        Assert.DoesNotContain(problem, c => char.IsControl(c));
    }

    [Fact]
    public void LookupValueProblem_refuses_overlong_values()
    {
        Assert.Null(IntercomIds.LookupValueProblem(new string('x', 320), "external id"));
        var problem = IntercomIds.LookupValueProblem(new string('x', 321), "external id");
        Assert.NotNull(problem);
        Assert.Contains("is 321 characters long", problem);
        Assert.Contains(new string('x', 40) + "…'", problem);
    }

    [Theory]
    [InlineData("63a07ddf05a32042dffac965", "63a07ddf05a32042dffac965")]
    [InlineData("u-1001", "u-1001")]
    [InlineData("a b", "a%20b")]
    [InlineData("ada@example.com", "ada%40example.com")]
    [InlineData("\u00fcmlaut", "%C3%BCmlaut")]
    [InlineData("x\U0001F600", "x%F0%9F%98%80")]
    public void EscapeSegment_escapes_what_it_accepts(string id, string expected) =>
        Assert.Equal(expected, IntercomIds.EscapeSegment(id, "contact id"));

    [Theory]
    [InlineData("../admins")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("a\u0000")]
    public void EscapeSegment_refuses_what_Problem_refuses(string id)
    {
        var ex = Assert.Throws<ArgumentException>(() => IntercomIds.EscapeSegment(id, "contact id"));
        Assert.Equal(IntercomIds.Problem(id, "contact id"), ex.Message);
    }
}
