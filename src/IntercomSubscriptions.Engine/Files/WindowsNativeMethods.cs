using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// The Win32 calls <see cref="OwnerOnlyFile"/> makes on Windows: create a file or folder with a
/// security descriptor in one step, move a file over another keeping the moved file's access list,
/// and read the user this process runs as. netstandard2.0 has no access-control API (FileSecurity is
/// .NET Framework's or a package's), and <c>File.Replace</c> keeps the access list of the file it
/// replaces, which may let everyone read.
/// </summary>
/// <remarks>Windows only: compiled and reviewed, but not run where this module is developed (Linux).</remarks>
internal static class WindowsNativeMethods
{
    public const uint GenericWrite = 0x40000000;
    public const uint CreateNew = 1;
    public const uint NormalFile = 0x80;
    public const uint ReplaceExisting = 0x1;
    public const uint WriteThrough = 0x8;
    /// <summary>ERROR_ALREADY_EXISTS, what CreateDirectoryW leaves for a folder that is there.</summary>
    public const int AlreadyExists = 183;
    public const uint SddlRevision1 = 1;
    private const int TokenUserClass = 1;
    private const uint TokenQuery = 0x0008;

    [StructLayout(LayoutKind.Sequential)]
    public struct SecurityAttributes
    {
        public int Length;
        public IntPtr SecurityDescriptor;
        public int InheritHandle;
    }

    [DllImport("advapi32.dll", EntryPoint = "ConvertStringSecurityDescriptorToSecurityDescriptorW", CharSet = CharSet.Unicode, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static extern bool SecurityDescriptorFromSddl(string sddl, uint revision, out IntPtr securityDescriptor, IntPtr size);

    [DllImport("kernel32.dll", EntryPoint = "LocalFree", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    public static extern IntPtr LocalFree(IntPtr memory);

    [DllImport("kernel32.dll", EntryPoint = "CreateFileW", CharSet = CharSet.Unicode, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    public static extern SafeFileHandle CreateFile(string path, uint access, uint share, ref SecurityAttributes security,
        uint creation, uint flags, IntPtr template);

    [DllImport("kernel32.dll", EntryPoint = "CreateDirectoryW", CharSet = CharSet.Unicode, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static extern bool CreateDirectory(string path, ref SecurityAttributes security);

    [DllImport("kernel32.dll", EntryPoint = "MoveFileExW", CharSet = CharSet.Unicode, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static extern bool MoveFile(string from, string to, uint flags);

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

    /// <summary>
    /// The SID ("S-1-5-21-…") of the user this process runs as: the token's user, not its default
    /// owner (which is the Administrators group when elevated, and what "OW" in an SDDL would mean).
    /// </summary>
    public static string CurrentUserSid()
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
