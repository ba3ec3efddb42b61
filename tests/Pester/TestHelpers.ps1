<#
    Shared by every file of the Pester suite (dot-sourced in its BeforeAll / BeforeDiscovery):
    the fake Intercom as a process of its own (start, stop, read its state and request log, set its
    knobs through its control surface, tests/FakeIntercom/README.md), the module under test, the
    documents whose code the suite runs (README.md, docs/en-US), files written byte for byte as other
    tools write them, and a fresh pwsh. Every wait here has a timeout. Written for pwsh 7 and
    Windows PowerShell 5.1 alike (no ?? or ?:, no ProcessStartInfo.ArgumentList).
#>

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:FakeToken = 'fake-intercom-token'
# The sample workspace's two contacts every fake starts with (tests/FakeIntercom/SampleData.cs): Ada
# (ada@example.com, u-1001, opted out of 109 Product updates) and Grace (grace@example.com, u-1002).
$script:Ada = '63a07ddf05a32042dffac965'
$script:Grace = '63a07ddf05a32042dffac966'

# Nothing in this suite may reach a real Intercom: until a Describe points Connect-Intercom at its
# fake (Use-FakeIntercom), -BaseUri defaults to a loopback port nothing listens on, so even the
# README's `Connect-Intercom -Region EU` lines fail here instead of leaving the machine.
$script:NowhereUri = 'http://127.0.0.1:9/'
$global:PSDefaultParameterValues['Connect-Intercom:BaseUri'] = $script:NowhereUri

function Get-RepositoryRoot { $script:RepoRoot }

# ---------------------------------------------------------------------------------------------
# The module under test
# ---------------------------------------------------------------------------------------------

<# The manifest to import: $env:INTERCOM_MODULE_MANIFEST (CI also runs the published layout), else the repository root's. #>
function Get-ManifestUnderTest {
    if ($env:INTERCOM_MODULE_MANIFEST) { return $env:INTERCOM_MODULE_MANIFEST }
    Join-Path $script:RepoRoot 'IntercomSubscriptions.psd1'
}

function Import-ModuleUnderTest {
    Import-Module (Get-ManifestUnderTest) -Force -ErrorAction Stop
}

<# A file's AfterAll: the module out, and this session's Connect-Intercom as it was before the suite. #>
function Remove-ModuleUnderTest {
    Remove-Module IntercomSubscriptions -ErrorAction SilentlyContinue
    $global:PSDefaultParameterValues.Remove('Connect-Intercom:BaseUri')
}

# ---------------------------------------------------------------------------------------------
# The fake Intercom, a process of its own
# ---------------------------------------------------------------------------------------------

function Get-FakeIntercomAssembly {
    $project = Join-Path $script:RepoRoot 'tests/FakeIntercom'
    $assembly = Join-Path $project 'bin/Release/net10.0/FakeIntercom.dll'
    if (-not (Test-Path $assembly)) {
        # Normally the README's build command built it; alone (Invoke-Pester right after a clone) build it here.
        $build = Invoke-Process -FilePath 'dotnet' -ArgumentList @('build', $project, '-c', 'Release', '-nologo') -TimeoutSeconds 300
        if ($build.ExitCode -ne 0) { throw "Building the fake Intercom failed ($($build.ExitCode)): $($build.Output)" }
    }
    $assembly
}

<#
.SYNOPSIS
    Starts a fake Intercom on 127.0.0.1, on a port of its own (0: the system picks), and returns
    { BaseUri, Token, Process }. It stops when this PowerShell closes its stdin (Stop-FakeIntercom),
    and also when this PowerShell dies, so it never outlives the suite.
#>
function Start-FakeIntercom {
    param(
        # More options for the fake (`--latency-ms 50`, `--contacts 500 --contact-emails`, …: FakeIntercom --help).
        [string[]] $ArgumentList = @(),
        # The one token it accepts.
        [string] $Token = $script:FakeToken,
        [int] $TimeoutSeconds = 60
    )
    $arguments = @((Get-FakeIntercomAssembly), '--port', '0', '--stop-on-stdin-close', '--token', $Token) + $ArgumentList
    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = 'dotnet'
    $info.Arguments = ConvertTo-CommandLine $arguments
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.WorkingDirectory = $script:RepoRoot
    $process = [System.Diagnostics.Process]::Start($info)
    $errors = $process.StandardError.ReadToEndAsync()
    $firstLine = $process.StandardOutput.ReadLineAsync()
    if (-not $firstLine.Wait([TimeSpan]::FromSeconds($TimeoutSeconds)) -or $null -eq $firstLine.Result) {
        Stop-ProcessTree $process
        $why = if ($errors.Wait(2000)) { $errors.Result } else { '' }
        throw "The fake Intercom did not say where it listens within $TimeoutSeconds s: $why"
    }
    if ($firstLine.Result -notmatch 'Fake Intercom listening on (http://127\.0\.0\.1:\d+/)') {
        Stop-ProcessTree $process
        throw "The fake Intercom's first line is not its address: '$($firstLine.Result)'"
    }
    $baseUri = [uri] $Matches[1]
    # The second line is the one the README tells a user to paste into PowerShell.
    $secondLine = $process.StandardOutput.ReadLineAsync()
    $connectLine = if ($secondLine.Wait([TimeSpan]::FromSeconds($TimeoutSeconds))) { $secondLine.Result } else { $null }
    # The rest of what it prints (its call counts on the way out) goes nowhere, and never fills the pipe.
    $null = $process.StandardOutput.ReadToEndAsync()
    [pscustomobject]@{
        PSTypeName  = 'FakeIntercom'
        BaseUri     = $baseUri
        Token       = $Token
        ConnectLine = $connectLine
        Process     = $process
    }
}

function Stop-FakeIntercom {
    param([Parameter(ValueFromPipeline)] $Fake, [int] $TimeoutSeconds = 10)
    process {
        if (-not $Fake -or -not $Fake.Process) { return }
        if ($global:PSDefaultParameterValues['Connect-Intercom:BaseUri'] -eq $Fake.BaseUri) {
            $global:PSDefaultParameterValues['Connect-Intercom:BaseUri'] = $script:NowhereUri
        }
        try { $Fake.Process.StandardInput.Close() } catch { }
        if (-not $Fake.Process.WaitForExit($TimeoutSeconds * 1000)) { Stop-ProcessTree $Fake.Process }
        $Fake.Process.Dispose()
    }
}

<# Points every Connect-Intercom of this session at the fake (the README's `-Region EU` included), so documented lines run as printed. #>
function Use-FakeIntercom {
    param([Parameter(Mandatory)] $Fake)
    $global:PSDefaultParameterValues['Connect-Intercom:BaseUri'] = $Fake.BaseUri
}

<#
.SYNOPSIS
    A Describe's fake: started, this session's Connect-Intercom pointed at it, connected (-Connect)
    and the location moved (-Location) if asked. Close-FakeIntercomSession undoes it all.
#>
function Open-FakeIntercomSession {
    param([string[]] $ArgumentList = @(), [string] $Token = $script:FakeToken, [switch] $Connect, [string] $Location)
    $fake = Start-FakeIntercom -ArgumentList $ArgumentList -Token $Token
    try {
        Use-FakeIntercom $fake
        if ($Connect) { $null = Connect-Intercom -Token (Get-FakeToken $fake) -ErrorAction Stop }
        if ($Location) { Push-Location $Location -StackName IntercomPester }
    }
    catch {
        Stop-FakeIntercom $fake
        throw
    }
    $fake
}

function Close-FakeIntercomSession {
    param($Fake)
    Pop-Location -StackName IntercomPester -ErrorAction SilentlyContinue
    if (Get-Command Disconnect-Intercom -ErrorAction SilentlyContinue) { Disconnect-Intercom -ErrorAction SilentlyContinue }
    Stop-FakeIntercom $Fake
}

<# The fake's token as the SecureString Connect-Intercom takes. #>
function Get-FakeToken {
    param($Fake)
    $plain = if ($Fake) { $Fake.Token } else { $script:FakeToken }
    ConvertTo-SecureString $plain -AsPlainText -Force
}

<# A request to the fake's control surface (<base>/_fake/<Path>); -Body is sent as JSON. #>
function Invoke-FakeControl {
    param(
        [Parameter(Mandatory)] $Fake,
        [string] $Method = 'GET',
        [string] $Path = '',
        $Body
    )
    $request = @{
        Uri        = [uri]::new($Fake.BaseUri, "_fake/$Path")
        Method     = $Method
        TimeoutSec = 30
    }
    if ($PSVersionTable.PSVersion.Major -ge 7) { $request.NoProxy = $true }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $request.Body = [System.Text.Encoding]::UTF8.GetBytes((ConvertTo-Json -InputObject $Body -Depth 10 -Compress))
        $request.ContentType = 'application/json'
    }
    Invoke-RestMethod @request
}

function ConvertTo-Hashtable {
    param($Object)
    $table = [ordered]@{}
    if ($Object) { foreach ($p in $Object.PSObject.Properties) { $table[$p.Name] = $p.Value } }
    $table
}

<#
.SYNOPSIS
    A contact's explicit choices on the fake: @{ '109' = 'opt_out'; … } (empty when none), or with
    -AsText one string ('108=opt_in 109=opt_out', '' when none) that Should -Be compares whole.
#>
function Get-FakeChoice {
    param([Parameter(Mandatory)] $Fake, [Parameter(Mandatory)] [string] $ContactId, [switch] $AsText)
    $choices = ConvertTo-Hashtable (Invoke-FakeControl $Fake -Path "contacts/$([uri]::EscapeDataString($ContactId))/subscriptions")
    if (-not $AsText) { return $choices }
    (@($choices.Keys | Sort-Object | ForEach-Object { "$_=$($choices[$_])" }) -join ' ')
}

<# Every contact with an explicit choice: @{ '<contact id>' = @{ '<type id>' = consent } }. #>
function Get-FakeChoices {
    param([Parameter(Mandatory)] $Fake)
    $all = [ordered]@{}
    $json = Invoke-FakeControl $Fake -Path 'choices'
    foreach ($p in $json.PSObject.Properties) { $all[$p.Name] = ConvertTo-Hashtable $p.Value }
    $all
}

function Set-FakeChoice {
    param([Parameter(Mandatory)] $Fake, [Parameter(Mandatory)] [string] $ContactId, [Parameter(Mandatory)] [string] $SubscriptionId,
        [ValidateSet('opt_in', 'opt_out')] [string] $Consent = 'opt_in')
    $null = Invoke-FakeControl $Fake -Method PUT -Path "contacts/$ContactId/subscriptions/$SubscriptionId" -Body @{ consent = $Consent }
}

<# Contacts for the fake's workspace: hashtables with id, email, external_id, role, unsubscribed_from_emails… #>
function Add-FakeContact {
    param([Parameter(Mandatory)] $Fake, [Parameter(Mandatory)] [object[]] $Contact)
    $null = Invoke-FakeControl $Fake -Method POST -Path 'contacts' -Body $Contact
}

<#
.SYNOPSIS
    What reached the fake's Intercom API since the start or the last Reset-FakeCall:
    { Total, Counts (endpoint -> n, e.g. 'POST /contacts/{id}/subscriptions'), Requests (method, path, body, status, …) }.
#>
function Get-FakeCall {
    param([Parameter(Mandatory)] $Fake, [switch] $CountsOnly)
    $path = if ($CountsOnly) { 'calls?requests=false' } else { 'calls' }
    $json = Invoke-FakeControl $Fake -Path $path
    [pscustomobject]@{
        Total    = [int] $json.total
        Counts   = ConvertTo-Hashtable $json.counts
        Requests = if ($CountsOnly) { @() } else { @($json.requests) }
    }
}

<# Requests for one endpoint ('POST /contacts/{id}/subscriptions'); 0 when none came. #>
function Get-FakeCallCount {
    param([Parameter(Mandatory)] $Fake, [Parameter(Mandatory)] [string] $Endpoint)
    $counts = (Get-FakeCall $Fake -CountsOnly).Counts
    if ($counts.Contains($Endpoint)) { [int] $counts[$Endpoint] } else { 0 }
}

<# The changes that reached the fake: the attach (POST) and detach (DELETE) requests. #>
function Get-FakeWrite {
    param([Parameter(Mandatory)] $Fake)
    @((Get-FakeCall $Fake).Requests | Where-Object { $_.method -in 'POST', 'DELETE' -and $_.path -match '^/contacts/[^/]+/subscriptions' })
}

function Reset-FakeCall {
    param([Parameter(Mandatory)] $Fake)
    $null = Invoke-FakeControl $Fake -Method DELETE -Path 'calls'
}

<# Sets fault knobs by their FaultSettings names: @{ LatencyMs = 100; RateLimit = 50; Scripted = @(@{ status = 503 }) }. #>
function Set-FakeKnob {
    param([Parameter(Mandatory)] $Fake, [Parameter(Mandatory)] [hashtable] $Knob)
    Invoke-FakeControl $Fake -Method POST -Path 'faults' -Body $Knob
}

<# No faults, an empty log, the sample workspace again. #>
function Reset-FakeIntercom {
    param([Parameter(Mandatory)] $Fake)
    $null = Invoke-FakeControl $Fake -Method POST -Path 'reset'
}

# ---------------------------------------------------------------------------------------------
# The module's folder for failed-records files
# ---------------------------------------------------------------------------------------------

<# IntercomSubscriptions-<user> in the temp directory: where a run without -FailedRecordsPath writes its failed records. #>
function Get-FailedRecordFolder {
    Join-Path ([System.IO.Path]::GetTempPath()) "IntercomSubscriptions-$([Environment]::UserName)"
}

<# Whether the folder is there and the names of the files in it: taken before a Describe's runs, to compare after. #>
function Get-FailedRecordFolderState {
    $folder = Get-FailedRecordFolder
    $exists = Test-Path -LiteralPath $folder
    [pscustomobject]@{
        Exists = $exists
        Files  = @(if ($exists) { Get-ChildItem -LiteralPath $folder -Force -File | ForEach-Object Name | Sort-Object })
    }
}

<# Removes the folder again when it was not there before (-Before) and nothing is left in it. #>
function Restore-FailedRecordFolder {
    param([Parameter(Mandatory)] $Before)
    $folder = Get-FailedRecordFolder
    if (-not $Before.Exists -and (Test-Path -LiteralPath $folder) -and -not (Get-ChildItem -LiteralPath $folder -Force)) {
        Remove-Item -LiteralPath $folder
    }
}

# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------

function ConvertTo-CommandLine {
    param([string[]] $Arguments)
    # Quoted as the C runtime and .NET read a command line (backslashes before a quote doubled).
    ($Arguments | ForEach-Object {
        if ($_ -and $_ -notmatch '[\s"]') { $_ }
        else { '"' + ($_ -replace '(\\*)"', '$1$1\"' -replace '(\\+)$', '$1$1') + '"' }
    }) -join ' '
}

function Stop-ProcessTree {
    param([System.Diagnostics.Process] $Process)
    try {
        if (-not $Process.HasExited) {
            if ($PSVersionTable.PSVersion.Major -ge 7) { $Process.Kill($true) } else { $Process.Kill() }
            $null = $Process.WaitForExit(10000)
        }
    }
    catch { }
}

<#
.SYNOPSIS
    Runs a program to its end or its timeout (then kills it and its children, and throws), with
    extra environment variables (a $null value removes one) and what to type on its stdin (closed
    after); returns { ExitCode, Output, Error }.
#>
function Invoke-Process {
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [hashtable] $Environment = @{},
        [string] $WorkingDirectory = $script:RepoRoot,
        [string[]] $InputLine = @(),
        [int] $TimeoutSeconds = 120
    )
    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = $FilePath
    $info.Arguments = ConvertTo-CommandLine $ArgumentList
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.WorkingDirectory = $WorkingDirectory
    foreach ($name in $Environment.Keys) {
        if ($null -eq $Environment[$name]) { $null = $info.EnvironmentVariables.Remove($name) }
        else { $info.EnvironmentVariables[$name] = [string] $Environment[$name] }
    }
    $process = [System.Diagnostics.Process]::Start($info)
    try {
        $output = $process.StandardOutput.ReadToEndAsync()
        $errorText = $process.StandardError.ReadToEndAsync()
        foreach ($line in $InputLine) { $process.StandardInput.WriteLine($line) }
        $process.StandardInput.Close()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            Stop-ProcessTree $process
            throw "$FilePath $($info.Arguments) did not end within $TimeoutSeconds s."
        }
        $process.WaitForExit()
        $null = $output.Wait(10000); $null = $errorText.Wait(10000)
        [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $output.Result; Error = $errorText.Result }
    }
    finally { $process.Dispose() }
}

<#
.SYNOPSIS
    Runs a script in a new pwsh (the one running this suite, -NoProfile), as a new session would:
    nothing of this session's modules, variables or defaults. -NonInteractive unless it is given
    lines to type (then a prompt reads them from stdin).
#>
function Invoke-FreshPwsh {
    param(
        [Parameter(Mandatory)] [string] $Command,
        [hashtable] $Environment = @{},
        [string] $WorkingDirectory = $script:RepoRoot,
        [string[]] $InputLine = @(),
        [int] $TimeoutSeconds = 120
    )
    $script = Join-Path ([System.IO.Path]::GetTempPath()) ("intercom-pester-$([guid]::NewGuid().ToString('n')).ps1")
    [System.IO.File]::WriteAllText($script, $Command, (New-Object System.Text.UTF8Encoding $true))
    try {
        $arguments = @('-NoProfile')
        if (-not $InputLine) { $arguments += '-NonInteractive' }
        $arguments += @('-File', $script)
        # A pwsh installed as a dotnet tool runs as `dotnet pwsh.dll`: start it the same way.
        $shell = if ($PSVersionTable.PSVersion.Major -ge 7) { [Environment]::ProcessPath } else { (Get-Process -Id $PID).Path }
        if ([System.IO.Path]::GetFileNameWithoutExtension($shell) -eq 'dotnet') {
            $arguments = @((Join-Path $PSHOME 'pwsh.dll')) + $arguments
        }
        $environmentForPwsh = @{ NO_COLOR = '1'; POWERSHELL_TELEMETRY_OPTOUT = '1'; POWERSHELL_UPDATECHECK = 'Off' }
        foreach ($name in $Environment.Keys) { $environmentForPwsh[$name] = $Environment[$name] }
        Invoke-Process -FilePath $shell -ArgumentList $arguments -Environment $environmentForPwsh -WorkingDirectory $WorkingDirectory `
            -InputLine $InputLine -TimeoutSeconds $TimeoutSeconds
    }
    finally { Remove-Item -LiteralPath $script -ErrorAction SilentlyContinue }
}

# ---------------------------------------------------------------------------------------------
# Files as other tools write them
# ---------------------------------------------------------------------------------------------

<#
.SYNOPSIS
    Writes lines to a file byte for byte: the line ending (LF, CRLF), the encoding (UTF-8 with or
    without the byte-order mark Excel's "CSV UTF-8" writes, Windows-1252) and whether the last
    line ends with a newline are the caller's.
#>
function New-TextFile {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [AllowEmptyString()] [string[]] $Line,
        [ValidateSet('LF', 'CRLF')] [string] $LineEnding = 'LF',
        [ValidateSet('utf8', 'utf8BOM', 'windows-1252')] [string] $Encoding = 'utf8',
        [switch] $NoFinalNewline
    )
    $Path = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
    $newline = if ($LineEnding -eq 'CRLF') { "`r`n" } else { "`n" }
    $text = $Line -join $newline
    if (-not $NoFinalNewline) { $text += $newline }
    $bytes = switch ($Encoding) {
        'utf8' { (New-Object System.Text.UTF8Encoding $false).GetBytes($text) }
        'utf8BOM' { [byte[]] (0xEF, 0xBB, 0xBF) + (New-Object System.Text.UTF8Encoding $false).GetBytes($text) }
        'windows-1252' { [System.Text.Encoding]::GetEncoding(1252).GetBytes($text) }
    }
    [System.IO.File]::WriteAllBytes($Path, [byte[]] $bytes)
    Get-Item -LiteralPath $Path
}

# ---------------------------------------------------------------------------------------------
# The documents whose code the suite runs
# ---------------------------------------------------------------------------------------------

<# Every fenced block of a markdown file: { Language, Code, Line }. #>
function Get-MarkdownCodeBlock {
    param([Parameter(Mandatory)] [string] $Path)
    $lines = [System.IO.File]::ReadAllLines($Path)
    $inside = $false
    for ($i = 0; $i -lt $lines.Count; $i++) {
        if (-not $inside -and $lines[$i] -match '^```(\S*)\s*$') {
            $inside = $true; $language = $Matches[1]; $start = $i + 1; $code = New-Object System.Collections.Generic.List[string]
        }
        elseif ($inside -and $lines[$i] -match '^```\s*$') {
            $inside = $false
            [pscustomobject]@{ Language = $language; Code = ($code -join "`n"); Line = $start }
        }
        elseif ($inside) { $code.Add($lines[$i]) }
    }
}

<# The one PowerShell block of README.md that contains $Containing (fails unless exactly one does). #>
function Get-ReadmeCode {
    param([Parameter(Mandatory)] [string] $Containing)
    $blocks = @(Get-MarkdownCodeBlock (Join-Path $script:RepoRoot 'README.md') |
            Where-Object { $_.Language -eq 'powershell' -and $_.Code.Contains($Containing) })
    if ($blocks.Count -ne 1) { throw "README.md has $($blocks.Count) powershell blocks containing '$Containing', not one." }
    $blocks[0].Code
}

<#
.SYNOPSIS
    The examples of a cmdlet's help page (docs/en-US/<cmdlet>.md), as hashtables for Pester's
    -ForEach: @{ Cmdlet; Number; Title; Code; Printed }. In a block with prompts (PS C:\>), the
    prompt lines are the code and the others what it prints; a block without prompts is all code.
#>
function Get-HelpPageExample {
    param([Parameter(Mandatory)] [string] $Path)
    $cmdlet = [System.IO.Path]::GetFileNameWithoutExtension($Path)
    $lines = [System.IO.File]::ReadAllLines($Path)
    $title = $null; $number = 0; $inExamples = $false
    for ($i = 0; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if ($line -match '^## ') { $inExamples = $line -eq '## EXAMPLES'; continue }
        if (-not $inExamples) { continue }
        if ($line -match '^### (.+)$') { $title = $Matches[1]; $number++; continue }
        if ($line -match '^```') {
            $block = New-Object System.Collections.Generic.List[string]
            for ($i++; $i -lt $lines.Count -and $lines[$i] -notmatch '^```'; $i++) { $block.Add($lines[$i]) }
            $prompted = @($block | Where-Object { $_ -match '^PS [^>]*> ' })
            if ($prompted.Count) {
                $code = @($prompted | ForEach-Object { $_ -replace '^PS [^>]*> ', '' })
                $printed = @($block | Where-Object { $_ -notmatch '^PS [^>]*> ' })
            }
            else { $code = @($block); $printed = @() }
            @{ Cmdlet = $cmdlet; Number = $number; Title = $title; Code = ($code -join "`n"); Printed = $printed }
        }
    }
}

<#
.SYNOPSIS
    Runs a script block under Start-Transcript and returns { Output, Transcript }: what a user sees
    on the host ("What if:" lines, warnings, verbose messages) as the transcript keeps it.
#>
function Invoke-WithTranscript {
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock, [Parameter(Mandatory)] [string] $Path)
    $null = Start-Transcript -LiteralPath $Path -Force
    try { $output = . $ScriptBlock }
    finally { $null = Stop-Transcript }
    [pscustomobject]@{ Output = $output; Transcript = [System.IO.File]::ReadAllText($Path) }
}
