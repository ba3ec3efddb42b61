using System.Runtime.InteropServices;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// The C library calls <see cref="OwnerOnlyFile"/> makes on Linux and macOS. None is variadic (a
/// variadic call such as open(path, flags, mode) cannot be P/Invoked portably: on Apple silicon its
/// variadic arguments go on the stack, where P/Invoke does not put them). Paths go as UTF-8, which is
/// what CharSet.Ansi means on Linux and macOS.
/// </summary>
internal static class UnixNativeMethods
{
    /// <summary>errno: the path exists already (the same number on Linux and macOS).</summary>
    public const int AlreadyExists = 17;

    [DllImport("libc", EntryPoint = "mkdir", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int MakeDirectory(string path, uint mode);

    [DllImport("libc", EntryPoint = "chmod", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int ChangeMode(string path, uint mode);

    /// <summary>lchown's "leave it as it is" for the owner or group.</summary>
    public const uint Unchanged = uint.MaxValue;

    /// <summary>lchown(2): the owner of the path itself, a symbolic link's own and not what it points at.</summary>
    [DllImport("libc", EntryPoint = "lchown", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int ChangeOwner(string path, uint owner, uint group);

    [DllImport("libc", EntryPoint = "geteuid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern uint EffectiveUserId();

    [DllImport("libc", EntryPoint = "rename", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Rename(string from, string to);
}
