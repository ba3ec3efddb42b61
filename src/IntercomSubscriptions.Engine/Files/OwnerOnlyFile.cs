using System.ComponentModel;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Files and folders only their owner can read, for the files that hold emails (the journal, the
/// failed-records files; a Hybrid Worker is a shared host): mode 0600 (files) and 0700 (folders) on
/// Linux and macOS; on Windows a protected access list (no inherited entries) whose owner and only
/// grantee is the user running the module, plus SYSTEM. Each is created that way in one step, never
/// created first and narrowed after: another user who opened the file in between would keep a handle
/// that reads everything written later. Failures are IOExceptions (or UnauthorizedAccessException)
/// naming the path.
/// </summary>
/// <remarks>
/// <para>netstandard2.0 has no API for either. On Linux and macOS, .NET 7's
/// FileStreamOptions.UnixCreateMode is found at run time (pwsh 7.4 and later run on .NET 8; pwsh on
/// Linux and macOS never runs on .NET Framework). Only where it is missing (pwsh 7.2 and older, on
/// .NET 6) is the file created and then chmod-ed, and the gap is that moment, with the file still
/// empty. Not the C library's open(path, flags, mode): it is variadic, and on Apple silicon a
/// variadic argument goes on the stack while P/Invoke passes it in a register, so the file would get
/// whatever mode was on the stack.</para>
/// <para>The Windows half (CreateFileW, CreateDirectoryW and MoveFileExW, with security descriptors
/// from <see cref="WindowsRules"/>) is compiled and reviewed but cannot run on the Linux machines
/// this module is developed on: CI's windows runner is where it first runs.</para>
/// </remarks>
internal static class OwnerOnlyFile
{
    private const int OwnerReadWrite = 0x180; // rw-------
    private const int OwnerOnlyFolder = 0x1C0; // rwx------
    private const int GroupAndOthers = 0x3F; // ---rwxrwx

    private static readonly Type? OptionsType = typeof(FileStream).Assembly.GetType("System.IO.FileStreamOptions");
    private static readonly PropertyInfo? UnixCreateMode = OptionsType?.GetProperty("UnixCreateMode");
    private static readonly ConstructorInfo? OptionsConstructor = OptionsType is null ? null : typeof(FileStream).GetConstructor(new[] { typeof(string), OptionsType });

    /// <summary>
    /// The security descriptors (SDDL) for a file and for a folder, built once per process (its user
    /// does not change): the user's SID, not "OW" (owner rights), because an elevated administrator's
    /// files are owned by the Administrators group. "P" keeps the folder's entries from being
    /// inherited (a shared folder's Everyone: Read would otherwise apply); a folder's entries are
    /// inherited by what is created in it. Not cached when reading the user fails, so a later call tries again.
    /// </summary>
    private static readonly Lazy<(string File, string Folder)> WindowsRules = new(() =>
    {
        var sid = WindowsNativeMethods.CurrentUserSid();
        return ($"O:{sid}D:P(A;;FA;;;{sid})(A;;FA;;;SY)", $"O:{sid}D:P(A;OICI;FA;;;{sid})(A;OICI;FA;;;SY)");
    }, LazyThreadSafetyMode.PublicationOnly);

    private static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    /// <summary>
    /// A new owner-only file at <paramref name="path"/>, open for writing; fails when anything (a
    /// symbolic link included, even one to nowhere) is there already. Others may open it as
    /// <paramref name="share"/> allows while it is open, which its permissions confine to its owner.
    /// </summary>
    /// <remarks>
    /// The stream has no buffer of its own, which each caller needs: the failed-records file writes
    /// each row in one write, so that a run killed between two rows leaves whole rows; the journal's
    /// writer batches lines itself, and a buffer that kept a failed write's bytes would try them again
    /// (and throw) when the stream is disposed.
    /// </remarks>
    public static FileStream CreateNew(string path, FileShare share) =>
        IsWindows ? CreateOnWindows(path, share) : CreateOnUnix(path, share);

    /// <summary>Opens <paramref name="path"/> for appending (shared for reading), creating it owner-only when it does not exist.</summary>
    /// <param name="othersMayRead">
    /// True when an existing file's permissions let other users read it (Linux and macOS). Such a file
    /// is appended to as it is: it is the user's file, and the caller says so rather than change it.
    /// </param>
    public static FileStream OpenForAppend(string path, out bool othersMayRead)
    {
        othersMayRead = false;
        if (!File.Exists(path))
        {
            try
            {
                return CreateNew(path, FileShare.Read);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Created by someone else between the check and the create: append to it as to any existing file.
            }
        }
        // bufferSize 1: no buffer (see CreateNew).
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 1);
        othersMayRead = !IsWindows && UnixModeOf(path) is { } mode && (mode & GroupAndOthers) != 0;
        return stream;
    }

    /// <summary>
    /// The folder at <paramref name="path"/>, created owner-only if it is not there. On Linux and
    /// macOS an existing one is made owner-only too, which only its owner can do: a folder someone
    /// else made there first (to read what goes in it) is refused, and so is a symbolic link or a file
    /// at the name; root takes such a folder over instead. On Windows an existing folder is used as it is.
    /// </summary>
    public static void EnsureFolder(string path)
    {
        if (IsWindows)
        {
            var (created, error) = WithSecurity(RulesFor(path).Folder, (ref WindowsNativeMethods.SecurityAttributes security) =>
                WindowsNativeMethods.CreateDirectory(path, ref security));
            if (!created && error != WindowsNativeMethods.AlreadyExists)
                throw Failure(error, path, "create the folder");
            return;
        }
        // mkdir(2) takes its mode as a fixed argument (not variadic), so it is created owner-only in one step.
        if (UnixNativeMethods.MakeDirectory(path, OwnerOnlyFolder) == 0)
            return;
        var mkdirError = Marshal.GetLastWin32Error();
        if (mkdirError != UnixNativeMethods.AlreadyExists)
            throw Failure(mkdirError, path, "create the folder");
        // Whatever is there may not be this account's: in a shared temp folder anyone may first put a
        // symbolic link at the name (chmod would change what it points at: /etc, when this is root) or a
        // file. The attributes are the path's own (lstat): a link shows as one.
        var attributes = File.GetAttributes(path);
        if ((attributes & FileAttributes.ReparsePoint) != 0 || (attributes & FileAttributes.Directory) == 0)
        {
            var what = (attributes & FileAttributes.ReparsePoint) != 0 ? "a symbolic link" : "a file";
            throw new IOException($"'{path}' is {what}, not a folder this account made, so what goes in it could not be kept private.");
        }
        // Owned by this account before it is made owner-only: lchown fails for anyone but its owner, except
        // root, for whom chmod alone would leave the folder's maker able to open it again; root takes it over.
        if (UnixNativeMethods.ChangeOwner(path, UnixNativeMethods.EffectiveUserId(), UnixNativeMethods.Unchanged) != 0
            || UnixNativeMethods.ChangeMode(path, OwnerOnlyFolder) != 0)
            throw new IOException($"The folder '{path}' exists and is not this account's ({new Win32Exception(Marshal.GetLastWin32Error()).Message}), so it cannot be kept private.");
    }

    /// <summary>Moves <paramref name="from"/> over <paramref name="to"/> in one step (whatever was at <paramref name="to"/> is gone), keeping the moved file's permissions.</summary>
    public static void MoveOver(string from, string to)
    {
        if (IsWindows)
        {
            // Not File.Replace: it keeps the access list of the file it replaces.
            if (!WindowsNativeMethods.MoveFile(from, to, WindowsNativeMethods.ReplaceExisting | WindowsNativeMethods.WriteThrough))
                throw Failure(Marshal.GetLastWin32Error(), to, "replace");
            return;
        }
        if (UnixNativeMethods.Rename(from, to) != 0)
            throw Failure(Marshal.GetLastWin32Error(), to, "replace");
    }

    /// <summary>File.GetUnixFileMode(path) on .NET 7 and later; null before (or on Windows).</summary>
    internal static int? UnixModeOf(string path)
    {
        var method = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });
        return method?.Invoke(null, new object[] { path }) is { } mode ? Convert.ToInt32(mode, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static FileStream CreateOnUnix(string path, FileShare share) =>
        UnixCreateStream(path, share) ?? CreateThenNarrow(path, share);

    /// <summary>Where UnixCreateMode is missing (before .NET 7): created with the process's default mode, then narrowed with chmod.</summary>
    internal static FileStream CreateThenNarrow(string path, FileShare share)
    {
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, share, bufferSize: 1);
        if (UnixNativeMethods.ChangeMode(path, OwnerReadWrite) != 0)
        {
            var error = Marshal.GetLastWin32Error();
            stream.Dispose();
            File.Delete(path);
            throw Failure(error, path, "make readable by its owner only");
        }
        return stream;
    }

    /// <summary>new FileStream(path, new FileStreamOptions { Mode = CreateNew, …, UnixCreateMode = 0600 }) on .NET 7 and later; null before.</summary>
    private static FileStream? UnixCreateStream(string path, FileShare share)
    {
        if (OptionsType is null || UnixCreateMode is null || OptionsConstructor is null)
            return null;
        var options = Activator.CreateInstance(OptionsType)!;
        OptionsType.GetProperty("Mode")!.SetValue(options, FileMode.CreateNew);
        OptionsType.GetProperty("Access")!.SetValue(options, FileAccess.Write);
        OptionsType.GetProperty("Share")!.SetValue(options, share);
        // 0 (here) and 1 (in FileStream's constructors) both mean no buffer.
        OptionsType.GetProperty("BufferSize")!.SetValue(options, 0);
        // UnixFileMode? : the mode's enum is the nullable's underlying type.
        UnixCreateMode.SetValue(options, Enum.ToObject(Nullable.GetUnderlyingType(UnixCreateMode.PropertyType) ?? UnixCreateMode.PropertyType, OwnerReadWrite));
        try
        {
            return (FileStream)OptionsConstructor.Invoke(new[] { path, options });
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    private static FileStream CreateOnWindows(string path, FileShare share)
    {
        // FileShare's Read, Write and Delete are FILE_SHARE_READ, _WRITE and _DELETE; Inheritable is not a share mode.
        var shareMode = (uint)(share & (FileShare.Read | FileShare.Write | FileShare.Delete));
        var (handle, error) = WithSecurity(RulesFor(path).File, (ref WindowsNativeMethods.SecurityAttributes security) =>
            WindowsNativeMethods.CreateFile(path, WindowsNativeMethods.GenericWrite, shareMode, ref security,
                WindowsNativeMethods.CreateNew, WindowsNativeMethods.NormalFile, IntPtr.Zero));
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw Failure(error, path, "create");
        }
        // bufferSize 1: no buffer (see CreateNew).
        return new FileStream(handle, FileAccess.Write, bufferSize: 1);
    }

    /// <summary><see cref="WindowsRules"/>, or an IOException naming <paramref name="path"/> where this process's user cannot be read (what the callers catch).</summary>
    private static (string File, string Folder) RulesFor(string path)
    {
        try
        {
            return WindowsRules.Value;
        }
        catch (Win32Exception ex)
        {
            throw new IOException($"Could not make '{path}' readable by its owner only: {ex.Message}.", ex);
        }
    }

    private delegate T Secured<T>(ref WindowsNativeMethods.SecurityAttributes security);

    /// <summary>What <paramref name="create"/> returned, with the Win32 error it left (read before the descriptor is freed, which resets it).</summary>
    private static (T Result, int Error) WithSecurity<T>(string sddl, Secured<T> create)
    {
        if (!WindowsNativeMethods.SecurityDescriptorFromSddl(sddl, WindowsNativeMethods.SddlRevision1, out var descriptor, IntPtr.Zero))
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
        new($"Could not {what} '{path}': {new Win32Exception(error).Message}.", error);
}
