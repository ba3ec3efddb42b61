#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests, documents and packages the IntercomSubscriptions module.
.DESCRIPTION
    A thin wrapper over the dotnet CLI: every task can be done without it (see README.md).
      Build    dotnet build IntercomSubscriptions.PS.sln (lays the module out in out/IntercomSubscriptions/,
               with the MAML help generated from docs/en-US by build/HelpBuilder)
      Test     dotnet test IntercomSubscriptions.PS.sln, then Invoke-Pester tests/Pester when Pester is installed
      Docs     with platyPS: refresh docs/en-US from the built module and write the MAML with New-ExternalHelp;
               without it, the build's own generator (build/HelpBuilder) has already written the MAML
      Package  Build, then zip out/IntercomSubscriptions/ into out/IntercomSubscriptions.zip with the
               IntercomSubscriptions folder at the zip's root, as Azure Automation expects
    The exit code is the failing tool's (non-zero on any failure).
.EXAMPLE
    ./build.ps1 -Task Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Docs', 'Package')]
    [string] $Task = 'Build',

    [string] $Configuration = 'Release'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$root = $PSScriptRoot
$solution = Join-Path $root 'IntercomSubscriptions.PS.sln'
$moduleDir = Join-Path (Join-Path $root 'out') 'IntercomSubscriptions'
$docsDir = Join-Path (Join-Path $root 'docs') 'en-US'

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

function Invoke-Test {
    Invoke-Dotnet @('test', $solution, '-c', $Configuration)
    $pesterTests = Join-Path (Join-Path $root 'tests') 'Pester'
    if (-not (Test-Path $pesterTests)) { return }
    if (-not (Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.0' })) {
        Write-Warning 'Pester 5 is not installed; skipping tests/Pester (Install-Module Pester -MinimumVersion 5.0).'
        return
    }
    Import-Module Pester -MinimumVersion 5.0
    $configuration = New-PesterConfiguration
    $configuration.Run.Path = $pesterTests
    $configuration.Run.PassThru = $true
    $configuration.Output.Verbosity = 'Detailed'
    $result = Invoke-Pester -Configuration $configuration
    if ($result.FailedCount -gt 0 -or $result.Result -ne 'Passed') {
        Write-Error "Pester: $($result.FailedCount) test(s) failed." -ErrorAction Continue
        exit 1
    }
}

function Invoke-Docs {
    if (-not (Get-Module -ListAvailable -Name platyPS)) {
        Write-Host 'platyPS is not installed (Install-Module platyPS): the build''s own generator, build/HelpBuilder, already wrote the MAML from docs/en-US during Build.'
        Invoke-Build
        return
    }
    Invoke-Build
    # A fresh process keeps the session free of a module loaded from an older build.
    $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module platyPS
Import-Module '$(Join-Path $moduleDir 'IntercomSubscriptions.psd1')' -Force
Update-MarkdownHelp -Path '$docsDir' -AlphabeticParamsOrder -UpdateInputOutput -Force | Out-Null
New-ExternalHelp -Path '$docsDir' -OutputPath '$(Join-Path $moduleDir 'en-US')' -Force | Out-Null
Copy-Item -Path '$(Join-Path $docsDir 'about_*.help.txt')' -Destination '$(Join-Path $moduleDir 'en-US')' -Force
# The repo-root manifest's ModuleBase is the repository root, so Get-Help looks in <repo>/en-US there.
New-ExternalHelp -Path '$docsDir' -OutputPath '$(Join-Path $root 'en-US')' -Force | Out-Null
Copy-Item -Path '$(Join-Path $docsDir 'about_*.help.txt')' -Destination '$(Join-Path $root 'en-US')' -Force
"@
    $shell = (Get-Process -Id $PID).Path
    & $shell -NoProfile -NonInteractive -Command $script
    if ($LASTEXITCODE -ne 0) {
        Write-Error "platyPS failed with exit code $LASTEXITCODE." -ErrorAction Continue
        exit $LASTEXITCODE
    }
    Write-Host "Updated $docsDir and wrote $(Join-Path $moduleDir 'en-US')."
}

function Invoke-Package {
    Invoke-Build
    $zip = Join-Path (Join-Path $root 'out') 'IntercomSubscriptions.zip'
    if (Test-Path $zip) { Remove-Item $zip -Force }
    # The folder itself (not its contents) goes in, so the zip holds IntercomSubscriptions/... at its
    # root: Azure Automation names the module after that folder.
    Compress-Archive -Path $moduleDir -DestinationPath $zip
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
