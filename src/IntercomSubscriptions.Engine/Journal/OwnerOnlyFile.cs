using System.ComponentModel;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// A file for appending that only its owner may read: created 0600 on Linux and macOS, and on
/// Windows with a protected access list that allows its owner alone. A journal holds the emails rows
/// were looked up by, so no other local user (a Hybrid Worker is a shared host) may read it.
/// </summary>
/// <remarks>
/// The file is created with its permissions in one step (open with a mode, CreateFile with a security
/// descriptor): a file made first and restricted after could be opened by another user in between,
/// and that user's handle would read everything written later. netstandard2.0 has no API for either,
/// so .NET 7's FileStreamOptions.UnixCreateMode is found at run time (pwsh 7.4 and later run on .NET 8);
/// on an older runtime the file is created, then restricted with chmod, and the gap is that one
/// moment with the file still empty. The Windows branch (P/Invoke to CreateFileW) is compiled and
/// reviewed but cannot run on the Linux machines this module is developed on: CI's windows runner
/// is where it first runs. An existing file is appended to as it is; whether others may read it is
/// reported, not changed: it is the user's file. The stream has no buffer of its own: its writer
/// batches lines itself, and a buffer that kept a failed write's bytes would try them again (and
/// throw) when the stream is disposed.
/// </remarks>
internal static class OwnerOnlyFile
{
    private const int OwnerReadWrite = 0x180; // 0600

    /// <summary>Opens <paramref name="path"/> for appending (shared for reading), creating it for its owner only when it does not exist.</summary>
    /// <param name="othersMayRead">True when an existing file's permissions let other users read it.</param>
    public static FileStream OpenForAppend(string path, out bool othersMayRead)
    {
        othersMayRead = false;
        if (!File.Exists(path))
        {
            try
            {
                return RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? CreateOnWindows(path) : CreateOnUnix(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Created by someone else between the check and the create: append to it as to any existing file.
            }
        }
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 1);
        othersMayRead = !RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && UnixModeOf(path) is { } mode && (mode & 0x3F) != 0;
        return stream;
    }

    private static FileStream CreateOnUnix(string path)
    {
        if (UnixCreateStream(path) is { } created)
            return created;
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 1);
        if (NativeMethods.Chmod(path, OwnerReadWrite) != 0)
        {
            stream.Dispose();
            File.Delete(path);
            throw new IOException($"Could not make '{path}' readable by its owner only (chmod failed with errno {Marshal.GetLastWin32Error()}).");
        }
        return stream;
    }

    /// <summary>new FileStream(path, new FileStreamOptions { …, UnixCreateMode = 0600 }) on .NET 7 and later; null before.</summary>
    private static FileStream? UnixCreateStream(string path)
    {
        var optionsType = typeof(FileStream).Assembly.GetType("System.IO.FileStreamOptions");
        var unixCreateMode = optionsType?.GetProperty("UnixCreateMode");
        var constructor = optionsType is null ? null : typeof(FileStream).GetConstructor(new[] { typeof(string), optionsType });
        if (optionsType is null || unixCreateMode is null || constructor is null)
            return null;
        var options = Activator.CreateInstance(optionsType)!;
        optionsType.GetProperty("Mode")!.SetValue(options, FileMode.CreateNew);
        optionsType.GetProperty("Access")!.SetValue(options, FileAccess.Write);
        optionsType.GetProperty("Share")!.SetValue(options, FileShare.Read);
        optionsType.GetProperty("BufferSize")!.SetValue(options, 0);
        // UnixFileMode? : the mode's enum is the nullable's underlying type.
        unixCreateMode.SetValue(options, Enum.ToObject(Nullable.GetUnderlyingType(unixCreateMode.PropertyType) ?? unixCreateMode.PropertyType, OwnerReadWrite));
        try
        {
            return (FileStream)constructor.Invoke(new[] { path, options });
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    /// <summary>File.GetUnixFileMode(path) on .NET 7 and later; null before (or on Windows).</summary>
    internal static int? UnixModeOf(string path)
    {
        var method = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });
        return method?.Invoke(null, new object[] { path }) is { } mode ? Convert.ToInt32(mode, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static FileStream CreateOnWindows(string path)
    {
        // Owner and only access: the user running the module, full control; "P" protects the list from
        // inheriting the folder's entries (a shared folder's Everyone: Read would otherwise apply).
        var sid = NativeMethods.CurrentUserSid();
        var descriptor = IntPtr.Zero;
        if (!NativeMethods.ConvertStringSecurityDescriptorToSecurityDescriptor($"O:{sid}D:P(A;;FA;;;{sid})", 1, out descriptor, IntPtr.Zero))
            throw new Win32Exception(Marshal.GetLastWin32Error(), "Could not build the journal's access list");
        try
        {
            var attributes = new NativeMethods.SecurityAttributes
            {
                Length = Marshal.SizeOf<NativeMethods.SecurityAttributes>(),
                SecurityDescriptor = descriptor,
            };
            var handle = NativeMethods.CreateFile(path, NativeMethods.GenericWrite, NativeMethods.FileShareRead, ref attributes,
                NativeMethods.CreateNew, NativeMethods.FileAttributeNormal, IntPtr.Zero);
            if (handle.IsInvalid)
            {
                var error = Marshal.GetLastWin32Error();
                handle.Dispose();
                throw new IOException($"Could not create '{path}': {new Win32Exception(error).Message}", error);
            }
            return new FileStream(handle, FileAccess.Write, bufferSize: 1);
        }
        finally
        {
            NativeMethods.LocalFree(descriptor);
        }
    }

    private static class NativeMethods
    {
        internal const uint GenericWrite = 0x40000000;
        internal const uint FileShareRead = 0x00000001;
        internal const uint CreateNew = 1;
        internal const uint FileAttributeNormal = 0x80;
        private const int TokenUserClass = 1;
        private const uint TokenQuery = 0x0008;

        [StructLayout(LayoutKind.Sequential)]
        internal struct SecurityAttributes
        {
            public int Length;
            public IntPtr SecurityDescriptor;
            public int InheritHandle;
        }

        [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int Chmod(byte[] utf8Path, int mode);

        /// <summary>chmod(2); the path as the NUL-terminated UTF-8 the C library takes.</summary>
        internal static int Chmod(string path, int mode) => Chmod(System.Text.Encoding.UTF8.GetBytes(path + "\0"), mode);

        [DllImport("kernel32.dll", EntryPoint = "CreateFileW", CharSet = CharSet.Unicode, SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        internal static extern SafeFileHandle CreateFile([MarshalAs(UnmanagedType.LPWStr)] string fileName, uint desiredAccess, uint shareMode,
            ref SecurityAttributes securityAttributes, uint creationDisposition, uint flagsAndAttributes, IntPtr templateFile);

        [DllImport("advapi32.dll", EntryPoint = "ConvertStringSecurityDescriptorToSecurityDescriptorW", CharSet = CharSet.Unicode, SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [return: MarshalAs(UnmanagedType.Bool)]
        internal static extern bool ConvertStringSecurityDescriptorToSecurityDescriptor([MarshalAs(UnmanagedType.LPWStr)] string descriptor,
            uint revision, out IntPtr securityDescriptor, IntPtr securityDescriptorSize);

        [DllImport("kernel32.dll", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        internal static extern IntPtr LocalFree(IntPtr memory);

        [DllImport("kernel32.dll")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        private static extern IntPtr GetCurrentProcess();

        [DllImport("advapi32.dll", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static extern bool OpenProcessToken(IntPtr process, uint desiredAccess, out IntPtr token);

        [DllImport("advapi32.dll", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static extern bool GetTokenInformation(IntPtr token, int informationClass, IntPtr information, int length, out int returnLength);

        [DllImport("advapi32.dll", EntryPoint = "ConvertSidToStringSidW", CharSet = CharSet.Unicode, SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static extern bool ConvertSidToStringSid(IntPtr sid, out IntPtr stringSid);

        [DllImport("kernel32.dll", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static extern bool CloseHandle(IntPtr handle);

        /// <summary>The SID ("S-1-5-21-…") of the user this process runs as: the token's user, not its default owner (Administrators, when elevated).</summary>
        internal static string CurrentUserSid()
        {
            if (!OpenProcessToken(GetCurrentProcess(), TokenQuery, out var token))
                throw new Win32Exception(Marshal.GetLastWin32Error(), "Could not read this process's user");
            var buffer = IntPtr.Zero;
            try
            {
                GetTokenInformation(token, TokenUserClass, IntPtr.Zero, 0, out var length);
                buffer = Marshal.AllocHGlobal(length);
                if (!GetTokenInformation(token, TokenUserClass, buffer, length, out _))
                    throw new Win32Exception(Marshal.GetLastWin32Error(), "Could not read this process's user");
                // TOKEN_USER starts with a SID_AND_ATTRIBUTES whose first field points at the SID.
                if (!ConvertSidToStringSid(Marshal.ReadIntPtr(buffer), out var text))
                    throw new Win32Exception(Marshal.GetLastWin32Error(), "Could not read this process's user");
                try
                {
                    return Marshal.PtrToStringUni(text)!;
                }
                finally
                {
                    LocalFree(text);
                }
            }
            finally
            {
                if (buffer != IntPtr.Zero) Marshal.FreeHGlobal(buffer);
                CloseHandle(token);
            }
        }
    }
}
