using System.Runtime.InteropServices;
using System.Text;

namespace IntercomSubscriptions.Engine.Tests;

/// <summary>
/// The owner-only files and folders the journal and the failed-records files are made of: their Unix
/// modes, exclusive creation, appending to a file others may read, and moving one over another.
/// </summary>
/// <remarks>
/// Linux and macOS only: the Windows half (access lists through CreateFileW) runs on CI's windows
/// runner only, so each test returns at once on Windows. In a collection that runs alone, because one
/// test changes the effective user of the whole process.
/// </remarks>
[Collection(nameof(OwnerOnlyFileTests))]
[CollectionDefinition(nameof(OwnerOnlyFileTests), DisableParallelization = true)]
public sealed class OwnerOnlyFileTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private static readonly UnixFileMode Everyone = (UnixFileMode)Convert.ToInt32("644", 8);
    private readonly string _directory = Directory.CreateTempSubdirectory("owner-only-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void A_new_file_is_readable_and_writable_by_its_owner_only_and_written_through_at_once()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = PathOf("new.csv");

        using var stream = OwnerOnlyFile.CreateNew(path, FileShare.Read | FileShare.Delete);
        stream.Write("a row\r\n"u8);

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
        // No buffer of its own: what was written is in the file while the stream is still open.
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Assert.Equal("a row\r\n", new StreamReader(reader).ReadToEnd());
    }

    [Fact]
    public void Where_the_runtime_cannot_create_with_a_mode_the_file_is_narrowed_to_its_owner_at_once()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = PathOf("older-runtime.csv");

        using (var stream = OwnerOnlyFile.CreateThenNarrow(path, FileShare.Read))
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));

        File.WriteAllText(PathOf("there.csv"), "theirs");
        Assert.ThrowsAny<IOException>(() => OwnerOnlyFile.CreateThenNarrow(PathOf("there.csv"), FileShare.Read));
        Assert.Equal("theirs", File.ReadAllText(PathOf("there.csv")));
    }

    [Fact]
    public void Creating_refuses_an_existing_file_and_leaves_it_as_it_was()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = PathOf("there.csv");
        File.WriteAllText(path, "theirs");
        File.SetUnixFileMode(path, Everyone);

        Assert.ThrowsAny<IOException>(() => OwnerOnlyFile.CreateNew(path, FileShare.Read));

        Assert.Equal("theirs", File.ReadAllText(path));
        Assert.Equal(Everyone, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Creating_refuses_a_symbolic_link_whether_or_not_it_points_at_a_file()
    {
        if (OperatingSystem.IsWindows()) return;
        var target = PathOf("target.txt");
        File.WriteAllText(target, "someone else's");
        var toFile = PathOf("to-file.csv");
        var toNowhere = PathOf("to-nowhere.csv");
        File.CreateSymbolicLink(toFile, target);
        File.CreateSymbolicLink(toNowhere, PathOf("nowhere.txt"));

        Assert.ThrowsAny<IOException>(() => OwnerOnlyFile.CreateNew(toFile, FileShare.Read));
        Assert.ThrowsAny<IOException>(() => OwnerOnlyFile.CreateNew(toNowhere, FileShare.Read));

        Assert.Equal("someone else's", File.ReadAllText(target));
        Assert.False(File.Exists(PathOf("nowhere.txt")));
    }

    [Fact]
    public void Appending_creates_an_owner_only_file_that_others_cannot_read()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = PathOf("journal.jsonl");

        using (var stream = OwnerOnlyFile.OpenForAppend(path, out var othersMayRead))
        {
            Assert.False(othersMayRead);
            stream.Write("{}\n"u8);
        }

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
        Assert.Equal("{}\n", File.ReadAllText(path));
    }

    [Fact]
    public void Appending_to_an_existing_file_others_may_read_says_so_and_keeps_what_it_held_and_its_mode()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = PathOf("journal.jsonl");
        File.WriteAllText(path, "first\n");
        File.SetUnixFileMode(path, Everyone);

        using (var stream = OwnerOnlyFile.OpenForAppend(path, out var othersMayRead))
        {
            Assert.True(othersMayRead);
            stream.Write("second\n"u8);
        }

        Assert.Equal("first\nsecond\n", File.ReadAllText(path));
        Assert.Equal(Everyone, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Appending_to_an_existing_owner_only_file_says_others_cannot_read_it()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = PathOf("journal.jsonl");
        File.WriteAllText(path, "first\n");
        File.SetUnixFileMode(path, OwnerReadWrite);

        using var stream = OwnerOnlyFile.OpenForAppend(path, out var othersMayRead);

        Assert.False(othersMayRead);
    }

    [Fact]
    public void Moving_a_file_over_one_everyone_could_read_keeps_the_moved_files_mode()
    {
        if (OperatingSystem.IsWindows()) return;
        var beside = PathOf(".failed.csv.tmp");
        var path = PathOf("failed.csv");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, Everyone);
        using (var stream = OwnerOnlyFile.CreateNew(beside, FileShare.Read | FileShare.Delete))
            stream.Write(Encoding.UTF8.GetBytes("new"));

        OwnerOnlyFile.MoveOver(beside, path);

        Assert.False(File.Exists(beside));
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void A_new_folder_is_owner_only_and_an_existing_one_everyone_could_open_is_made_so()
    {
        if (OperatingSystem.IsWindows()) return;
        var created = PathOf("created");
        var existing = PathOf("existing");
        Directory.CreateDirectory(existing);
        File.SetUnixFileMode(existing, (UnixFileMode)Convert.ToInt32("777", 8));

        OwnerOnlyFile.EnsureFolder(created);
        OwnerOnlyFile.EnsureFolder(existing);
        OwnerOnlyFile.EnsureFolder(created);

        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(created));
        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(existing));
    }

    [Fact]
    public void A_symbolic_link_where_the_folder_should_be_is_refused_and_what_it_points_at_keeps_its_mode()
    {
        if (OperatingSystem.IsWindows()) return;
        // In a shared temp folder anyone may put a link at the folder's name, pointing at a folder of
        // the account running the module (or at /etc, when that account is root).
        var target = PathOf("someone-elses-target");
        Directory.CreateDirectory(target);
        File.SetUnixFileMode(target, (UnixFileMode)Convert.ToInt32("755", 8));
        var link = PathOf("link");
        Directory.CreateSymbolicLink(link, target);
        var fileLink = PathOf("file-link");
        File.WriteAllText(PathOf("a-file"), "x");
        File.CreateSymbolicLink(fileLink, PathOf("a-file"));

        var failure = Assert.ThrowsAny<IOException>(() => OwnerOnlyFile.EnsureFolder(link));
        Assert.ThrowsAny<IOException>(() => OwnerOnlyFile.EnsureFolder(fileLink));
        Assert.ThrowsAny<IOException>(() => OwnerOnlyFile.EnsureFolder(PathOf("a-file")));

        Assert.Contains(link, failure.Message);
        Assert.Equal((UnixFileMode)Convert.ToInt32("755", 8), File.GetUnixFileMode(target));
        Assert.Equal(Everyone, File.GetUnixFileMode(PathOf("a-file")) & Everyone);
    }

    /// <summary>
    /// Root can change any folder's mode, so for root "made owner-only" must also mean "owned": a folder
    /// another account made at root's name is taken over (its owner could otherwise open it again).
    /// </summary>
    [Fact]
    public void As_root_a_folder_another_account_made_is_taken_over_before_it_is_used()
    {
        if (OperatingSystem.IsWindows() || geteuid() != 0) return;
        var folder = PathOf("made-by-nobody");
        Directory.CreateDirectory(folder);
        Assert.Equal(0, chown(folder, Nobody, Nobody));
        File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32("777", 8));

        OwnerOnlyFile.EnsureFolder(folder);

        Assert.Equal(0u, OwnerOf(folder));
        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(folder));
    }

    private static uint OwnerOf(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u", path]) { RedirectStandardOutput = true })!;
        var owner = stat.StandardOutput.ReadToEnd().Trim();
        Assert.True(stat.WaitForExit(10_000));
        return uint.Parse(owner, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void A_folder_that_cannot_be_made_names_its_path()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = PathOf(Path.Combine("no-such-parent", "folder"));

        var failure = Assert.ThrowsAny<IOException>(() => OwnerOnlyFile.EnsureFolder(path));

        Assert.Contains(path, failure.Message);
    }

    /// <summary>
    /// Root may change any folder's mode, so the refusal is seen from another account: the process
    /// runs as nobody (65534) for the call, and as root again after. Where the tests do not run as
    /// root, no folder of another user can be made here, and the test returns at once.
    /// </summary>
    [Fact]
    public void A_folder_another_user_made_is_refused_not_used()
    {
        if (OperatingSystem.IsWindows() || geteuid() != 0) return;
        // The temporary folder is rwx------; the other user must reach the folder inside it.
        File.SetUnixFileMode(_directory, (UnixFileMode)Convert.ToInt32("755", 8));
        var folder = PathOf("someone-elses");
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32("777", 8));

        IOException? failure;
        Assert.Equal(0, seteuid(Nobody));
        try
        {
            failure = Record.Exception(() => OwnerOnlyFile.EnsureFolder(folder)) as IOException;
        }
        finally
        {
            Assert.Equal(0, seteuid(0));
        }

        Assert.NotNull(failure);
        Assert.Contains($"The folder '{folder}' exists and is not this account's", failure.Message);
        Assert.Equal((UnixFileMode)Convert.ToInt32("777", 8), File.GetUnixFileMode(folder));
    }

    private const uint Nobody = 65534;

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int seteuid(uint euid);

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int chown(string path, uint owner, uint group);
}
