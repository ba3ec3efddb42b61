#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    What the build hands out, used the way a user would: the published manifest, the licence, the
    zip for Azure Automation, the README's install lines on a machine where the user module folder
    does not exist yet, and Publish-PSResource / Install-PSResource through a repository in a folder,
    each in a new pwsh whose home is a temporary folder, importing the module by its name.
    How the suite runs and what runs where: tests/Pester/README.md.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:Layout = Join-Path (Get-RepositoryRoot) 'out/IntercomSubscriptions'
    $script:PublishedManifest = Join-Path $Layout 'IntercomSubscriptions.psd1'
    $script:Zip = Join-Path (Get-RepositoryRoot) 'out/IntercomSubscriptions.zip'
    $script:Cmdlets = @(
        'Add-IntercomContactSubscription', 'Connect-Intercom', 'Disconnect-Intercom', 'Get-IntercomConnection',
        'Get-IntercomContactSubscription', 'Get-IntercomJournal', 'Get-IntercomSubscriptionType', 'Remove-IntercomContactSubscription',
        'Set-IntercomContactSubscription')

    <#
        Runs a script in a new pwsh as on a new machine: its home (and so its user module folder and
        PSResourceGet's settings) is an empty temporary folder. Returns what it printed, checked.
    #>
    function Invoke-OnNewMachine {
        param([Parameter(Mandatory)] [string] $Command, [Parameter(Mandatory)] [string] $HomeFolder, [hashtable] $Environment = @{})
        $environmentOfMachine = @{
            HOME = $HomeFolder; USERPROFILE = $HomeFolder
            XDG_DATA_HOME = $null; XDG_CONFIG_HOME = $null; XDG_CACHE_HOME = $null
            PSModulePath = $null
        }
        if ($IsWindows) {
            $environmentOfMachine.LOCALAPPDATA = Join-Path $HomeFolder 'AppData/Local'
            $environmentOfMachine.APPDATA = Join-Path $HomeFolder 'AppData/Roaming'
        }
        foreach ($name in $Environment.Keys) { $environmentOfMachine[$name] = $Environment[$name] }
        # A home has a configuration folder: without one .NET reports no ApplicationData folder, and
        # NuGet (under Publish-PSResource) would write its NuGet.Config into the working directory.
        New-Item -ItemType Directory -Force -Path (Join-Path $HomeFolder '.config') | Out-Null
        $result = Invoke-FreshPwsh -Command "`$ErrorActionPreference = 'Stop'`n$Command" -Environment $environmentOfMachine -TimeoutSeconds 180
        if ($result.ExitCode -ne 0) { throw "The new pwsh failed ($($result.ExitCode)): $($result.Output) $($result.Error)" }
        @($result.Output -split "`r?`n" | Where-Object { $_ })
    }

    function Get-ZipEntryName {
        param([string] $Path)
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $archive = [System.IO.Compression.ZipFile]::OpenRead($Path)
        try { @($archive.Entries | Where-Object { $_.Name } | ForEach-Object FullName) }
        finally { $archive.Dispose() }
    }
}

AfterAll {
    Remove-ModuleUnderTest
}

Describe 'The published manifest' {
    BeforeAll {
        $manifest = Test-ModuleManifest $PublishedManifest -ErrorAction Stop
    }

    It 'passes Test-ModuleManifest with the eight cmdlets, relative paths, version 0.1.0' {
        $manifest.Name | Should -Be 'IntercomSubscriptions'
        $manifest.Version | Should -Be ([version]'0.1.0')
        $manifest.RootModule | Should -Be 'IntercomSubscriptions.dll'
        @($manifest.ExportedCmdlets.Keys | Sort-Object) | Should -Be $Cmdlets
        (Get-Content $PublishedManifest -Raw) | Should -Not -Match 'out/'
    }

    It 'names its licence and project, and its release notes name all eight cmdlets' {
        $manifest.LicenseUri | Should -Be 'https://github.com/intercom-subscriptions/IntercomSubscriptions.PS/blob/main/LICENSE'
        $manifest.ProjectUri | Should -Be 'https://github.com/intercom-subscriptions/IntercomSubscriptions.PS'
        $manifest.Copyright | Should -Match 'MIT'
        foreach ($cmdlet in $Cmdlets) { $manifest.ReleaseNotes | Should -Match ([regex]::Escape($cmdlet)) }
    }

    It 'says in its comment what it is, with nothing cut out of it' {
        $comment = @(Get-Content $PublishedManifest | Where-Object { $_ -like '#*' }) -join "`n"
        $comment | Should -Match 'published copy'
        $comment | Should -Not -Match 'repository root, imports'
        $comment | Should -Not -Match ' in ;| in \.|  '
    }

    It 'the repository root''s manifest passes Test-ModuleManifest too' {
        $root = Test-ModuleManifest (Join-Path (Get-RepositoryRoot) 'IntercomSubscriptions.psd1') -ErrorAction Stop
        $root.RootModule | Should -Be 'out/IntercomSubscriptions/IntercomSubscriptions.dll'
        $root.ProjectUri | Should -Be $manifest.ProjectUri
    }
}

Describe 'The licence' {
    It 'is MIT, as the manifest says, in the repository, the module folder and the zip' {
        $license = Join-Path (Get-RepositoryRoot) 'LICENSE'
        (Get-Content $license -First 1) | Should -Be 'MIT License'
        Get-Content $license -Raw | Should -Match 'Permission is hereby granted, free of charge'
        (Get-FileHash (Join-Path $Layout 'LICENSE')).Hash | Should -Be (Get-FileHash $license).Hash
        Get-ZipEntryName $Zip | Should -Contain 'IntercomSubscriptions/LICENSE'
    }
}

Describe 'The zip for Azure Automation' {
    It 'holds the module folder at its root, file for file, with forward slashes and no host assembly' {
        $entries = Get-ZipEntryName $Zip
        $laidOut = @(Get-ChildItem $Layout -Recurse -File | ForEach-Object {
                'IntercomSubscriptions/' + $_.FullName.Substring($Layout.Length + 1).Replace('\', '/')
            })

        $entries | Should -Not -BeNullOrEmpty
        @($entries | Where-Object { $_ -notlike 'IntercomSubscriptions/*' -or $_.Contains('\') }) | Should -BeNullOrEmpty
        @($entries | Sort-Object) | Should -Be @($laidOut | Sort-Object)
        @($entries | Where-Object { $_ -match '/(System\.Management\.Automation|System\.Runtime\.Loader)\.dll$' }) | Should -BeNullOrEmpty
        # The one assembly at the top is the cmdlet assembly; everything it depends on is in Dependencies/.
        @($entries | Where-Object { $_ -match '^IntercomSubscriptions/[^/]+\.dll$' }) | Should -Be 'IntercomSubscriptions/IntercomSubscriptions.dll'
        $entries | Should -Contain 'IntercomSubscriptions/Dependencies/IntercomSubscriptions.Engine.dll'
        $entries | Should -Contain 'IntercomSubscriptions/en-US/IntercomSubscriptions.dll-Help.xml'
    }

    It 'unzipped into a module folder, imports by name in a new pwsh, with its help' {
        $modules = Join-Path $TestDrive 'automation-modules'
        Expand-Archive -Path $Zip -DestinationPath $modules

        $lines = @(Invoke-OnNewMachine -HomeFolder (Join-Path $TestDrive 'home-zip') -Environment @{ PSModulePath = $modules } -Command @'
Import-Module IntercomSubscriptions
(Get-Module IntercomSubscriptions).ModuleBase
Get-Command -Module IntercomSubscriptions | Sort-Object Name | ForEach-Object Name
(Get-Help Connect-Intercom).Synopsis
'@)
        $lines[0] | Should -Be (Join-Path $modules 'IntercomSubscriptions')
        $lines[1..$Cmdlets.Count] | Should -Be $Cmdlets
        $lines[$Cmdlets.Count + 1] | Should -Match 'Intercom workspace'
    }
}

# On Windows the user module folder is under Documents, which a temporary home does not move: these
# two install into a real profile there, so they run on Linux and macOS only.
Describe 'The README''s install into the user module folder, on a new machine' -Skip:($PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows) {
    BeforeAll {
        $homeFolder = Join-Path $TestDrive 'home-readme'
        New-Item -ItemType Directory $homeFolder | Out-Null
        $install = Get-ReadmeCode -Containing 'Copy-Item -Recurse -Force out/IntercomSubscriptions $modules'
    }

    It 'creates the module folder, copies the module in as IntercomSubscriptions/, and imports it by name' {
        # pwsh on Windows does not create the user module folder; on Linux and macOS it does, at start:
        # take it away first, so the lines run as on a machine where it does not exist yet.
        $lines = @(Invoke-OnNewMachine -HomeFolder $homeFolder -Command @"
`$userModules = (`$env:PSModulePath -split [IO.Path]::PathSeparator)[0]
if (-not `$userModules.StartsWith(`$env:HOME)) { throw "The user module folder `$userModules is not in the temporary home: not removing it." }
Remove-Item -LiteralPath `$userModules -Recurse -Force -ErrorAction SilentlyContinue
"user module folder there before: `$(Test-Path -LiteralPath ((`$env:PSModulePath -split [IO.Path]::PathSeparator)[0]))"
$install
(Get-Module IntercomSubscriptions).ModuleBase
Get-Command -Module IntercomSubscriptions | Sort-Object Name | ForEach-Object Name
"@)
        $lines[0] | Should -Be 'user module folder there before: False'
        $lines[1] | Should -BeLike "$homeFolder*IntercomSubscriptions"
        Split-Path $lines[1] -Leaf | Should -Be 'IntercomSubscriptions'
        $lines[2..($Cmdlets.Count + 1)] | Should -Be $Cmdlets
        Join-Path $lines[1] 'IntercomSubscriptions.psd1' | Should -Exist
        Join-Path $lines[1] 'LICENSE' | Should -Exist
        Join-Path $lines[1] 'IntercomSubscriptions' | Should -Not -Exist
    }

    It 'run again (an update), leaves one module folder that a new session imports by name' {
        $lines = @(Invoke-OnNewMachine -HomeFolder $homeFolder -Command @"
$install
Get-Module IntercomSubscriptions -ListAvailable | ForEach-Object ModuleBase
"@)
        $lines.Count | Should -Be 1
        Split-Path $lines[0] -Leaf | Should -Be "IntercomSubscriptions"
        Join-Path $lines[0] 'IntercomSubscriptions' | Should -Not -Exist
    }
}

Describe 'Publish-PSResource to a repository in a folder, Install-PSResource, Import-Module by name' -Skip:($PSVersionTable.PSVersion -lt [version]'7.4' -or $IsWindows) {
    BeforeAll {
        $homeFolder = Join-Path $TestDrive 'home-psresource'
        $folder = Join-Path $TestDrive 'psrepo'
        New-Item -ItemType Directory $homeFolder, $folder | Out-Null
        $publish = Get-ReadmeCode -Containing 'Publish-PSResource -Path out/IntercomSubscriptions -Repository MyRepository'
    }

    It 'publishes the README''s way, installs for the current user, and unregisters the repository after' {
        $lines = @(Invoke-OnNewMachine -HomeFolder $homeFolder -Environment @{ PSRESOURCE_FOLDER = $folder } -Command @"
`$folder = `$env:PSRESOURCE_FOLDER
try {
$publish
    (Get-Module IntercomSubscriptions).ModuleBase
    (Get-InstalledPSResource -Name IntercomSubscriptions).Version.ToString()
}
finally { Unregister-PSResourceRepository -Name MyRepository }
@(Get-PSResourceRepository | Where-Object Name -eq 'MyRepository').Count
"@)
        $installed = $lines[0]
        $installed | Should -BeLike "$homeFolder*"
        $installed | Should -Match '[\\/]IntercomSubscriptions[\\/]0\.1\.0$'
        $lines[1] | Should -Be '0.1.0'
        $lines[2] | Should -Be '0'
        $script:InstalledModules = Split-Path (Split-Path $installed)
        Join-Path (Get-RepositoryRoot) 'NuGet' | Should -Not -Exist

        $package = @(Get-ChildItem $folder -Filter 'IntercomSubscriptions.0.1.0.nupkg')
        $package.Count | Should -Be 1
        $inPackage = Get-ZipEntryName $package[0].FullName
        foreach ($file in 'IntercomSubscriptions.psd1', 'IntercomSubscriptions.dll', 'LICENSE', 'Dependencies/IntercomSubscriptions.Engine.dll') {
            $inPackage | Should -Contain $file
        }
    }

    It 'a new pwsh with PSModulePath at the installed modules imports it by name, eight cmdlets' {
        $script:InstalledModules | Should -Not -BeNullOrEmpty
        $lines = @(Invoke-OnNewMachine -HomeFolder (Join-Path $TestDrive 'home-import') -Environment @{ PSModulePath = $script:InstalledModules } -Command @'
Import-Module IntercomSubscriptions
(Get-Module IntercomSubscriptions).Version.ToString()
Get-Command -Module IntercomSubscriptions | Sort-Object Name | ForEach-Object Name
'@)
        $lines[0] | Should -Be '0.1.0'
        $lines[1..$Cmdlets.Count] | Should -Be $Cmdlets
    }
}
