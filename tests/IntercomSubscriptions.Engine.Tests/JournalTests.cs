using System.Text;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>The journal's lines, its writer (group commit, failure), its reader (torn and foreign lines) and its file (owner only).</summary>
public sealed class JournalTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 12, 3, 10, 15, 2, 123, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("journal-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static JournalIntent Intent(long seq, string contact = "c1", string type = "108", string action = "opt_in", string run = "r1", string? before = null) =>
        new(At, run, seq, "Add-IntercomContactSubscription", "https://api.intercom.io/", contact, JournalWords.KeyEmail, $"{contact}@example.com",
            type, "Newsletters", "opt_in", before, JournalWords.ChoiceAfter(action), action);

    internal static JournalOutcome Outcome(long seq, string outcome, string contact = "c1", string type = "108", string run = "r1") =>
        new(At, run, seq, contact, type, outcome, outcome == JournalWords.Failed ? "IntercomContactNotFound" : null, "req-1");

    [Fact]
    public void Every_kind_of_line_reads_back_as_written_one_JSON_object_a_line()
    {
        var events = new JournalEvent[]
        {
            Intent(1, before: JournalWords.None),
            Outcome(1, JournalWords.Applied),
            new JournalCheck(At, "r2", "c1", "108", JournalWords.OptIn, InEffect: true),
            new JournalRunEnd(At, "r1", "Add-IntercomContactSubscription", "Completed", 3, 1, 1, 0, 1, 0),
        };

        foreach (var written in events)
        {
            var bytes = JournalLines.Serialize(written);
            var text = Encoding.UTF8.GetString(bytes);
            Assert.EndsWith("\n", text);
            Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("{\"v\":1,\"event\":", text);
            Assert.Equal(written, JournalLines.Parse(text));
        }
    }

    [Fact]
    public void A_line_is_bounded_whatever_the_values_and_keeps_accented_text_readable()
    {
        var huge = new string('\u0007', 10_000);
        var intent = new JournalIntent(At, new string('r', 500), 1, huge, huge, huge, huge, huge, huge, huge, huge, huge, huge, huge);

        var bytes = JournalLines.Serialize(intent);

        Assert.InRange(bytes.Length, 1, JournalLines.MaxLineBytes);
        Assert.Contains("zoë@exämple.com", Encoding.UTF8.GetString(JournalLines.Serialize(Intent(1, contact: "zoë") with { KeyValue = "zoë@exämple.com" })));
        Assert.Equal("abc…", JournalLines.Bounded("abcdefgh", 4));
        Assert.Equal("a…", JournalLines.Bounded("a\U0001F600bc", 3)); // the pair is not split
    }

    [Fact]
    public void The_reader_skips_a_torn_last_line_and_foreign_lines_and_says_where()
    {
        var path = Path.Combine(_directory, "j.jsonl");
        var good = Encoding.UTF8.GetString(JournalLines.Serialize(Intent(1))) + Encoding.UTF8.GetString(JournalLines.Serialize(Outcome(1, JournalWords.Applied)));
        File.WriteAllText(path, good + "not json\n" + """{"v":1,"event":"later-kind","at":"2026-12-03T10:15:02.123Z","run":"r1"}""" + "\n"
            + new string('x', JournalLines.MaxLineBytes + 10) + "\n" + "{\"v\":1,\"event\":\"intent\",\"at\":\"2026-12");

        var reader = new JournalReader(path);
        var events = reader.Events().ToList();

        Assert.Equal(2, events.Count);
        Assert.Equal(3, reader.BadLines);
        Assert.Equal(3, reader.FirstBadLine);
    }

    [Fact]
    public async Task Intents_that_arrive_together_share_a_flush_to_the_disk_and_every_line_is_written_whole()
    {
        var stream = new MemoryStream();
        var flushes = 0;
        using var writer = new JournalWriter("mem", stream, (_, toDisk) =>
        {
            if (!toDisk) return;
            Interlocked.Increment(ref flushes);
            Thread.Sleep(5); // an fsync takes a while: the lines arriving meanwhile wait for the next one together
        });

        await Task.WhenAll(Enumerable.Range(1, 200).Select(i => Task.Run(() => writer.AppendDurableAsync(JournalLines.Serialize(Intent(i))))));
        writer.Close();

        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(200, lines.Length);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), lines.Select(l => ((JournalIntent)JournalLines.Parse(l)!).Seq).Order());
        Assert.InRange(flushes, 2, 150); // grouped: far fewer than one per line, and the close flushes once more
    }

    [Fact]
    public async Task An_intent_is_written_and_flushed_to_the_disk_before_its_task_completes_an_outcome_is_not_waited_for()
    {
        var stream = new MemoryStream();
        var durableBytes = 0L;
        using var writer = new JournalWriter("mem", stream, (s, toDisk) => { if (toDisk) durableBytes = s.Length; });

        writer.Append(JournalLines.Serialize(Outcome(1, JournalWords.Applied)));
        var intent = JournalLines.Serialize(Intent(2));
        await writer.AppendDurableAsync(intent);

        Assert.True(durableBytes >= intent.Length, "the intent was on the disk when its task completed");
        Assert.EndsWith(Encoding.UTF8.GetString(intent), Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public async Task A_journal_that_cannot_be_written_fails_that_batch_and_every_later_line_at_once()
    {
        var stream = new FailingStream(failAfterBytes: 1000);
        using var writer = new JournalWriter("full.jsonl", stream, (_, _) => { });
        var line = JournalLines.Serialize(Intent(1));

        var written = 0;
        JournalWriteException? failure = null;
        for (var i = 0; i < 100 && failure is null; i++)
        {
            try
            {
                await writer.AppendDurableAsync(line);
                written++;
            }
            catch (JournalWriteException ex)
            {
                failure = ex;
            }
        }

        Assert.NotNull(failure);
        Assert.Contains("full.jsonl", failure.Message);
        Assert.Contains("No space left", failure.Message);
        Assert.InRange(written, 1, 1000 / line.Length);
        await Assert.ThrowsAsync<JournalWriteException>(() => writer.AppendDurableAsync(line));
        Assert.Throws<JournalWriteException>(writer.Close);
    }

    [Fact]
    public async Task A_new_journal_is_readable_by_its_owner_only_and_an_existing_one_is_appended_to()
    {
        // Unix permissions; the Windows access list is CreateFileW's, which runs on CI's windows runner only.
        if (OperatingSystem.IsWindows()) return;
        var path = Path.Combine(_directory, "new.jsonl");

        using (var writer = JournalWriter.Open(path, out var othersMayRead))
        {
            Assert.False(othersMayRead);
            await writer.AppendDurableAsync(JournalLines.Serialize(Intent(1)));
            writer.Close();
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        var shared = Path.Combine(_directory, "shared.jsonl");
        File.WriteAllBytes(shared, JournalLines.Serialize(Intent(1)));
        File.SetUnixFileMode(shared, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using (var writer = JournalWriter.Open(shared, out var othersMayRead))
        {
            Assert.True(othersMayRead);
            writer.Append(JournalLines.Serialize(Outcome(1, JournalWords.Applied)));
            writer.Close();
        }
        Assert.Equal(2, new JournalReader(shared).Events().Count());
    }

    [Fact]
    public void A_journal_in_a_folder_that_cannot_be_written_fails_to_open_with_the_path_named()
    {
        var failure = Assert.Throws<JournalWriteException>(() => JournalWriter.Open(Path.Combine(_directory, "no-such-folder", "j.jsonl"), out _));
        Assert.Contains("no-such-folder", failure.Message);
    }

    /// <summary>A disk that fills up: writes beyond a number of bytes fail as a full disk does.</summary>
    private sealed class FailingStream(long failAfterBytes) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            if (Length + count > failAfterBytes) throw new IOException("No space left on device");
            base.Write(buffer, offset, count);
        }
    }
}
