using System.Runtime.InteropServices;

namespace IntercomSubscriptions;

/// <summary>
/// The C library calls that create a file or folder readable by its owner only in one step, on Linux
/// and macOS. netstandard2.0 has no API that creates a file with a mode (FileStreamOptions.UnixCreateMode
/// is .NET 7), and creating first and changing the mode after leaves a moment in which another user
/// can open the file and keep reading it. Paths go as UTF-8 (what CharSet.Ansi means on Linux and macOS).
/// </summary>
internal static class UnixNativeMethods
{
    // The flag values differ between Linux and macOS; O_RDONLY, O_WRONLY and the errno values used here do not.
    public const int WriteOnly = 0x1;
    public static int CreateExclusive => RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? 0x200 | 0x800 : 0x40 | 0x80;
    /// <summary>Not inherited by processes the session starts (Start-Process), as .NET's own files are not.</summary>
    public static int CloseOnExec => RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? 0x1000000 : 0x80000;

    /// <summary>errno: the path exists already.</summary>
    public const int AlreadyExists = 17;

    /// <summary>rw------- and rwx------.</summary>
    public const uint OwnerReadWrite = 0x180;
    public const uint OwnerOnlyFolder = 0x1C0;

    [DllImport("libc", EntryPoint = "open", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Open(string path, int flags, uint mode);

    [DllImport("libc", EntryPoint = "mkdir", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int MakeDirectory(string path, uint mode);

    [DllImport("libc", EntryPoint = "chmod", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int ChangeMode(string path, uint mode);

    [DllImport("libc", EntryPoint = "rename", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Rename(string from, string to);
}
