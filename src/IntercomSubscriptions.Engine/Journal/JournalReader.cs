using System.Text;
using System.Text.Json;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Reads a journal's events, line by line, holding one line at a time. A line that is not an event
/// (torn by a crash while it was written, edited by hand, longer than any line the module writes) is
/// counted and skipped, never the end of the reading: a journal is read after things went wrong.
/// Lines of kinds this version does not know are skipped without counting. The file is opened shared,
/// so a journal still being written can be read.
/// </summary>
internal sealed class JournalReader
{
    // A line the module writes is at most MaxLineBytes of UTF-8, so at most that many characters.
    private const int MaxLineChars = JournalLines.MaxLineBytes;

    private readonly string _path;

    public JournalReader(string path) => _path = path;

    /// <summary>Lines skipped because they are not events (known once <see cref="Events"/> has been read to the end).</summary>
    public int BadLines { get; private set; }

    /// <summary>The number of the first such line, from 1.</summary>
    public long? FirstBadLine { get; private set; }

    public IEnumerable<JournalEvent> Events()
    {
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: true);
        var line = new StringBuilder(512);
        long number = 0;
        while (ReadLine(reader, line, out var tooLong))
        {
            number++;
            if (tooLong)
            {
                Bad(number);
                continue;
            }
            var text = line.ToString().Trim();
            if (text.Length == 0) continue;
            JournalEvent? parsed;
            try
            {
                parsed = JournalLines.Parse(text);
            }
            catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
            {
                Bad(number);
                continue;
            }
            if (parsed is not null) yield return parsed;
        }
    }

    private void Bad(long number)
    {
        BadLines++;
        FirstBadLine ??= number;
    }

    /// <summary>The next line into <paramref name="line"/>; a line over the bound is skipped to its end and reported as too long.</summary>
    private static bool ReadLine(StreamReader reader, StringBuilder line, out bool tooLong)
    {
        line.Clear();
        tooLong = false;
        int c;
        var any = false;
        while ((c = reader.Read()) >= 0)
        {
            any = true;
            if (c == '\n') return true;
            if (line.Length < MaxLineChars) line.Append((char)c);
            else tooLong = true;
        }
        return any;
    }
}
