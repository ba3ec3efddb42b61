#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests, documents and packages the IntercomSubscriptions module.
.DESCRIPTION
    A thin wrapper over the dotnet CLI: every task can be done without it (see README.md).
      Build    dotnet build IntercomSubscriptions.PS.sln: lays the module out in out/IntercomSubscriptions/,
               writes its MAML help from docs/en-US with build/HelpBuilder (the only help generator), and
               zips the folder into out/IntercomSubscriptions.zip
      Test     the README's test command (dotnet test IntercomSubscriptions.PS.sln, TRX results in
               TestResults/), then the Pester suite tests/Pester in this PowerShell, on Pester 5.7.1
               restored from NuGet by build/Pester/Pester.csproj into .tools/ (NUnit XML results in
               TestResults/pester.xml; pester-windows-powershell.xml under Windows PowerShell 5.1)
      Docs     with platyPS: refresh the markdown in docs/en-US from the built module's parameters, then
               Build again so build/HelpBuilder writes the MAML from the refreshed pages; without
               platyPS, Build only (say so)
      Package  Build, then check and name out/IntercomSubscriptions.zip, the zip the build wrote (the
               IntercomSubscriptions folder at its root with forward-slash entry names, as Azure
               Automation expects; Windows PowerShell 5.1's Compress-Archive would write backslashes)
    The exit code is the failing tool's (non-zero on any failure).
.EXAMPLE
    dotnet tool restore; dotnet pwsh -File ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Docs', 'Package')]
    [string] $Task = 'Build',

    [string] $Configuration = 'Release',

    # Test: run only the Pester suite (after a build), not dotnet test.
    [switch] $PesterOnly
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$root = $PSScriptRoot
$solution = Join-Path $root 'IntercomSubscriptions.PS.sln'
$moduleDir = Join-Path (Join-Path $root 'out') 'IntercomSubscriptions'
$docsDir = Join-Path (Join-Path $root 'docs') 'en-US'
$resultsDir = Join-Path $root 'TestResults'
$PesterVersion = '5.7.1'

function Invoke-Dotnet {
    param([Parameter(Mandatory)] [string[]] $Arguments)
    Write-Host "dotnet $($Arguments -join ' ')"
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) {
        # Propagate the tool's own exit code.
        Write-Error "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE." -ErrorAction Continue
        exit $LASTEXITCODE
    }
}

function Invoke-Build {
    Invoke-Dotnet @('build', $solution, '-c', $Configuration)
}

# Pester 5.7.1 from NuGet: the package's tools/ folder is the module. Restored into .tools/nuget
# (git-ignored), so no Install-Module and no PowerShell Gallery are needed.
function Import-PinnedPester {
    $packages = Join-Path (Join-Path $root '.tools') 'nuget'
    $manifest = Join-Path $packages "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $manifest)) {
        Invoke-Dotnet @('restore', (Join-Path $root 'build/Pester/Pester.csproj'), '--packages', $packages)
    }
    Import-Module $manifest -Force
}

function Invoke-Test {
    $dotnetTestFailed = $false
    if (-not $PesterOnly) {
        # The README's test command, exactly. A failure there does not skip the Pester suite: one run
        # shows every failing test; the task fails after both.
        Write-Host "dotnet test $solution -c $Configuration --logger trx --results-directory TestResults"
        & dotnet test $solution -c $Configuration --logger trx --results-directory TestResults
        $dotnetTestFailed = $LASTEXITCODE -ne 0
    }
    Import-PinnedPester
    New-Item -ItemType Directory -Force -Path $resultsDir | Out-Null
    $configuration = New-PesterConfiguration
    $configuration.Run.Path = Join-Path (Join-Path $root 'tests') 'Pester'
    $configuration.Run.PassThru = $true
    $configuration.Output.Verbosity = 'Detailed'
    # CI logs are read as text: no colour codes.
    if ($env:CI) { $configuration.Output.RenderMode = 'Plaintext' }
    $configuration.TestResult.Enabled = $true
    $configuration.TestResult.OutputFormat = 'NUnitXml'
    # Windows PowerShell 5.1 runs the suite too (CI, on Windows): its results beside pwsh's, not over them.
    $resultsFile = if ($PSVersionTable.PSEdition -eq 'Desktop') { 'pester-windows-powershell.xml' } else { 'pester.xml' }
    $configuration.TestResult.OutputPath = Join-Path $resultsDir $resultsFile
    # The suite runs the README's lines as a user's session would: not under this script's
    # StrictMode and 'Stop' (a row's non-terminating error must stay non-terminating).
    $result = & {
        Set-StrictMode -Off
        $ErrorActionPreference = 'Continue'
        Invoke-Pester -Configuration $configuration
    }
    Write-Host "Pester: $($result.PassedCount) passed, $($result.FailedCount) failed, $($result.SkippedCount) skipped in $([int]$result.Duration.TotalSeconds) s."
    if ($result.FailedCount -gt 0 -or $result.Result -ne 'Passed' -or $result.PassedCount -eq 0) {
        Write-Error "Pester: $($result.FailedCount) test(s) failed." -ErrorAction Continue
        exit 1
    }
    if ($dotnetTestFailed) {
        Write-Error 'dotnet test failed (see its output above); the Pester suite passed.' -ErrorAction Continue
        exit 1
    }
}

function Invoke-Docs {
    Invoke-Build
    if (-not (Get-Module -ListAvailable -Name platyPS)) {
        Write-Host 'platyPS is not installed (Install-Module platyPS): docs/en-US is unchanged, and Build has written the MAML from it.'
        return
    }
    # A fresh process keeps the session free of a module loaded from an older build.
    $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module platyPS
Import-Module '$(Join-Path $moduleDir 'IntercomSubscriptions.psd1')' -Force
Update-MarkdownHelp -Path '$docsDir' -AlphabeticParamsOrder -UpdateInputOutput -Force | Out-Null
"@
    $shell = (Get-Process -Id $PID).Path
    & $shell -NoProfile -NonInteractive -Command $script
    if ($LASTEXITCODE -ne 0) {
        Write-Error "platyPS failed with exit code $LASTEXITCODE." -ErrorAction Continue
        exit $LASTEXITCODE
    }
    # The MAML comes from one generator only: the build's, reading the pages just refreshed.
    Invoke-Build
    Write-Host "Updated $docsDir; the build wrote the help into $(Join-Path $moduleDir 'en-US')."
}

function Invoke-Package {
    # The build zips the module itself (MSBuild's ZipDirectory, forward-slash entry names on every
    # platform): packaging is building, then making sure that zip is there.
    Invoke-Build
    $zip = Join-Path (Join-Path $root 'out') 'IntercomSubscriptions.zip'
    if (-not (Test-Path $zip)) {
        Write-Error "The build did not write $zip." -ErrorAction Continue
        exit 1
    }
    Write-Host "Wrote $zip"
}

try {
    switch ($Task) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Docs' { Invoke-Docs }
        'Package' { Invoke-Package }
    }
}
catch {
    Write-Error $_ -ErrorAction Continue
    exit 1
}
exit 0
