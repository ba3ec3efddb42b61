using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace IntercomSubscriptions;

/// <summary>
/// Files and folders that only their owner can read, for the failed-records files (they hold emails):
/// mode 0600 (files) and 0700 (folders) on Linux and macOS, a protected DACL granting only the owner
/// and SYSTEM on Windows. Each is created that way in one step, never created first and narrowed
/// after: another user who opens a file in between keeps reading it. Failures are IOExceptions (or
/// UnauthorizedAccessException) naming the path.
/// </summary>
/// <remarks>The Windows half is written against the Win32 documentation and has not been run here (Linux).</remarks>
internal static class PrivateFile
{
    private static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    /// <summary>
    /// A new file at <paramref name="path"/>, open for writing; fails when anything (a symbolic link
    /// included) is there already. Others may read and move it while it is open (the module reads it
    /// back when it rewrites it), which the owner-only permissions confine to its owner.
    /// </summary>
    public static FileStream CreateNew(string path)
    {
        SafeFileHandle handle;
        if (IsWindows)
        {
            int error;
            (handle, error) = WithSecurity(WindowsNativeMethods.OwnerOnlyFile, (ref WindowsNativeMethods.SecurityAttributes security) =>
                WindowsNativeMethods.CreateFile(path, WindowsNativeMethods.GenericWrite, WindowsNativeMethods.ShareReadDelete, ref security,
                    WindowsNativeMethods.CreateNew, WindowsNativeMethods.NormalFile, IntPtr.Zero));
            if (handle.IsInvalid)
                throw Failure(error, path, "create");
        }
        else
        {
            var descriptor = UnixNativeMethods.Open(path, UnixNativeMethods.WriteOnly | UnixNativeMethods.CreateExclusive | UnixNativeMethods.CloseOnExec,
                UnixNativeMethods.OwnerReadWrite);
            if (descriptor < 0)
                throw Failure(Marshal.GetLastWin32Error(), path, "create");
            handle = new SafeFileHandle((IntPtr)descriptor, ownsHandle: true);
        }
        // Unbuffered: each row goes to the file in one write, so that a run killed between two rows leaves whole rows.
        return new FileStream(handle, FileAccess.Write, bufferSize: 1);
    }

    /// <summary>
    /// The folder at <paramref name="path"/>, created owner-only if it is not there. On Linux and
    /// macOS an existing one is made owner-only too, which only its owner can do: a folder someone
    /// else made there first (to read what goes in it) is refused. On Windows an existing folder is
    /// used as it is.
    /// </summary>
    public static void EnsureFolder(string path)
    {
        if (IsWindows)
        {
            var (created, error) = WithSecurity(WindowsNativeMethods.OwnerOnlyFolder, (ref WindowsNativeMethods.SecurityAttributes security) =>
                WindowsNativeMethods.CreateDirectory(path, ref security));
            if (!created && error != WindowsNativeMethods.AlreadyExists)
                throw Failure(error, path, "create the folder");
            return;
        }
        if (UnixNativeMethods.MakeDirectory(path, UnixNativeMethods.OwnerOnlyFolder) == 0)
            return;
        var mkdirError = Marshal.GetLastWin32Error();
        if (mkdirError != UnixNativeMethods.AlreadyExists)
            throw Failure(mkdirError, path, "create the folder");
        if (UnixNativeMethods.ChangeMode(path, UnixNativeMethods.OwnerOnlyFolder) != 0)
            throw new IOException($"The folder '{path}' exists and is not this account's ({new Win32Exception(Marshal.GetLastWin32Error()).Message}), so it cannot be kept private.");
    }

    /// <summary>Moves <paramref name="from"/> over <paramref name="to"/> in one step (whatever was at <paramref name="to"/> is gone), keeping the moved file's permissions.</summary>
    public static void MoveOver(string from, string to)
    {
        if (IsWindows)
        {
            // Not File.Replace: it keeps the DACL of the file it replaces.
            if (!WindowsNativeMethods.MoveFile(from, to, WindowsNativeMethods.ReplaceExisting | WindowsNativeMethods.WriteThrough))
                throw Failure(Marshal.GetLastWin32Error(), to, "replace");
            return;
        }
        if (UnixNativeMethods.Rename(from, to) != 0)
            throw Failure(Marshal.GetLastWin32Error(), to, "replace");
    }

    private delegate T Secured<T>(ref WindowsNativeMethods.SecurityAttributes security);

    /// <summary>What <paramref name="create"/> returned, with the Win32 error it left (read before the descriptor is freed, which resets it).</summary>
    private static (T Result, int Error) WithSecurity<T>(string sddl, Secured<T> create)
    {
        if (!WindowsNativeMethods.SecurityDescriptorFromSddl(sddl, 1, out var descriptor, IntPtr.Zero))
            throw new IOException($"Could not build the security descriptor '{sddl}': {new Win32Exception(Marshal.GetLastWin32Error()).Message}");
        try
        {
            var security = new WindowsNativeMethods.SecurityAttributes
            {
                Length = Marshal.SizeOf<WindowsNativeMethods.SecurityAttributes>(),
                SecurityDescriptor = descriptor,
            };
            var result = create(ref security);
            return (result, Marshal.GetLastWin32Error());
        }
        finally
        {
            WindowsNativeMethods.LocalFree(descriptor);
        }
    }

    private static IOException Failure(int error, string path, string what) =>
        new($"Could not {what} '{path}': {new Win32Exception(error).Message}.");
}
