using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace IntercomSubscriptions;

/// <summary>
/// The Win32 calls that create a file or folder with a protected DACL (owner and SYSTEM only) in one
/// step, and move a file over another keeping the moved file's DACL. netstandard2.0 has no access
/// control API (FileSecurity is .NET Framework's or a package's), and <c>File.Replace</c> keeps the
/// DACL of the file it replaces, which may be readable by everyone.
/// </summary>
/// <remarks>Windows only; built and reviewed, but not run where this module is developed (Linux).</remarks>
internal static class WindowsNativeMethods
{
    /// <summary>
    /// Protected (no inherited entries): full control for the object's owner (OW, the account that
    /// creates it) and for SYSTEM. On a folder, files created in it later inherit the same.
    /// </summary>
    public const string OwnerOnlyFile = "D:P(A;;FA;;;OW)(A;;FA;;;SY)";
    public const string OwnerOnlyFolder = "D:P(A;;FA;;;OW)(A;OICIIO;FA;;;CO)(A;OICI;FA;;;SY)";

    public const uint GenericWrite = 0x40000000;
    public const uint ShareReadDelete = 0x1 | 0x4;
    public const uint CreateNew = 1;
    public const uint NormalFile = 0x80;
    public const uint ReplaceExisting = 0x1;
    public const uint WriteThrough = 0x8;
    public const int AlreadyExists = 183;
    public const int FileExists = 80;

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
}
