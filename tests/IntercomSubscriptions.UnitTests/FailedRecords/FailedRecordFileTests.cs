using static IntercomSubscriptions.UnitTests.FailedRecordTestData;

namespace IntercomSubscriptions.UnitTests;

public sealed class FailedRecordFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("failed-record-file-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private static FailedRecordRow RowOf(params (string Column, string? Value)[] cells) =>
        new(cells.Select(c => new KeyValuePair<string, string?>(c.Column, c.Value)).ToList(), "IntercomContactNotFound", "No contact.");

    [Fact]
    public void The_columns_are_the_union_of_every_rows_columns_in_the_order_first_seen_and_no_row_loses_a_cell()
    {
        using var file = FailedRecordFile.Create(PathOf("union.csv"));

        file.Write(RowOf(("email", "a@example.com"), ("note", "first")));
        file.Write(RowOf(("contact_id", "c-2")));
        file.Write(RowOf(("EMAIL", "b@example.com"), ("external_id", "u-3")));

        var (header, rows) = Read(file.Path);
        Assert.Equal(["email", "note", "contact_id", "external_id", "IntercomErrorId", "IntercomErrorMessage"], header);
        Assert.Equal(["a@example.com", "first", "", "", "IntercomContactNotFound", "No contact."], rows[0]);
        Assert.Equal(["", "", "c-2", "", "IntercomContactNotFound", "No contact."], rows[1]);
        Assert.Equal(["b@example.com", "", "", "u-3", "IntercomContactNotFound", "No contact."], rows[2]);
        Assert.Equal(3L, file.Rows);
    }

    [Fact]
    public void After_each_row_the_file_on_disk_is_a_header_and_whole_rows_so_a_killed_run_leaves_it_usable()
    {
        using var file = FailedRecordFile.Create(PathOf("killed.csv"));
        var shapes = new[] { new[] { "email" }, new[] { "contact_id", "note" }, new[] { "external_id" } };

        for (var i = 0; i < 30; i++)
        {
            var shape = shapes[i % shapes.Length];
            file.Write(RowOf(shape.Select(c => (c, (string?)$"{c}-{i}, \"quoted\"\r\nline")).ToArray()));

            // Read as another process would, while the writer still holds the file open (never disposed here).
            var (header, rows) = Read(file.Path);
            Assert.Equal(i + 1, rows.Count);
            Assert.All(rows, row => Assert.Equal(header.Count, row.Count));
            Assert.Equal($"{shape[0]}-{i}, \"quoted\"\r\nline", rows[i][header.IndexOf(shape[0])]);
        }
        // The rewrites for new columns left nothing beside the file.
        Assert.Equal(new[] { file.Path }, Directory.GetFiles(_folder));
    }

    [Fact]
    public void Cells_and_column_names_a_spreadsheet_would_run_are_guarded_in_the_file_and_read_back_exactly()
    {
        using (var file = FailedRecordFile.Create(PathOf("guarded.csv")))
            file.Write(RowOf(("=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0"), ("email", "=HYPERLINK(\"http://x.example\",\"click\")"), ("id", "-1")));

        var text = File.ReadAllText(PathOf("guarded.csv"));
        Assert.Contains("\"'=cmd|' /C calc'!A0\"", text);
        Assert.Contains("\"'+1+cmd|' /C calc'!A0\"", text);
        Assert.Contains("\"'=HYPERLINK(\"\"http://x.example\"\",\"\"click\"\")\"", text);
        Assert.Contains("\"'-1\"", text);
        var (header, rows) = Read(PathOf("guarded.csv"));
        Assert.Equal("=cmd|' /C calc'!A0", header[0]);
        Assert.Equal(["+1+cmd|' /C calc'!A0", "=HYPERLINK(\"http://x.example\",\"click\")", "-1"], rows[0].Take(3));
    }

    [Fact]
    public void It_is_utf8_with_a_byte_order_mark_and_crlf_line_ends()
    {
        using (var file = FailedRecordFile.Create(PathOf("encoding.csv")))
            file.Write(RowOf(("email", "zoë@example.com")));

        var bytes = File.ReadAllBytes(PathOf("encoding.csv"));
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes.Take(3));
        Assert.StartsWith("\"email\",\"IntercomErrorId\",\"IntercomErrorMessage\"\r\n\"zoë@example.com\",", System.Text.Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3), StringComparison.Ordinal);
    }

    [Fact]
    public void Creating_it_replaces_a_file_of_that_name_so_an_earlier_runs_rows_are_gone()
    {
        File.WriteAllText(PathOf("again.csv"), "\"email\"\r\n\"stale@example.com\"\r\n");

        using var file = FailedRecordFile.Create(PathOf("again.csv"));

        var (header, rows) = Read(PathOf("again.csv"));
        Assert.Equal(["IntercomErrorId", "IntercomErrorMessage"], header);
        Assert.Empty(rows);
    }

    [Fact]
    public void It_is_readable_by_its_owner_only_even_where_it_replaced_a_file_everyone_could_read()
    {
        if (OperatingSystem.IsWindows()) return; // the DACL is written on Windows, and not checked here (Linux)
        File.WriteAllText(PathOf("open.csv"), "old");
        File.SetUnixFileMode(PathOf("open.csv"), (UnixFileMode)Convert.ToInt32("644", 8));

        using var file = FailedRecordFile.Create(PathOf("open.csv"));
        file.Write(RowOf(("email", "a@example.com"), ("note", "widened")));
        file.Write(RowOf(("contact_id", "c-2")));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file.Path));
    }

    [Fact]
    public void Past_the_most_columns_new_columns_are_left_out_and_the_first_one_named()
    {
        using var file = FailedRecordFile.Create(PathOf("wide.csv"));
        var columns = Enumerable.Range(0, FailedRecordFile.MaxRecordColumns + 5).Select(i => $"c{i}").ToArray();

        file.Write(RowOf(columns.Select(c => (c, (string?)"v")).ToArray()));

        Assert.Equal($"c{FailedRecordFile.MaxRecordColumns}", file.FirstColumnLeftOut);
        Assert.Equal(FailedRecordFile.MaxRecordColumns + 2, Read(file.Path).Header.Count);
    }

    [Fact]
    public void Ten_thousand_rows_of_one_shape_are_all_there()
    {
        using var file = FailedRecordFile.Create(PathOf("many.csv"));

        for (var i = 0; i < 10_000; i++)
            file.Write(RowOf(("email", $"customer{i:D6}@example.com"), ("first_name", "Customer")));

        var rows = Read(file.Path).Rows;
        Assert.Equal(10_000, rows.Count);
        Assert.Equal("customer009999@example.com", rows[^1][0]);
    }
}
