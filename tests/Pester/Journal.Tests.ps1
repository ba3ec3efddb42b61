#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The journal in real pwsh, where a job really dies: a pwsh killed with SIGKILL in the middle of a
    3,000-row Add (its journal checked against the fake's own state and request log, then the README's
    resume and undo lines run as printed), Stop-Job on a thread job, and a journal that fills its disk
    mid-run (bash's ulimit -f on the child pwsh). What the fake applied is read from its state; its
    answers wait AnswerDelayMs after the change is made, so a killed run has changes Intercom made and
    never answered. How the suite runs and what runs where: tests/Pester/README.md.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-ModuleUnderTest

    <# A CSV of contact ids, one a row. #>
    function New-ContactFile {
        param([string] $Path, [string[]] $Id)
        New-TextFile $Path -Line (@('contact_id') + $Id) | Out-Null
        $Path
    }

    <# The contacts (among $Id) the fake has a choice of subscription type 108 for. #>
    function Get-FakeApplied {
        param($Fake, [string[]] $Id)
        $choices = Get-FakeChoices $Fake
        @($Id | Where-Object { $choices.Contains($_) -and $choices[$_].Contains('108') })
    }

    <#
        Starts a script in a new pwsh (as Invoke-FreshPwsh does) without waiting for it; with -FileSizeLimitKb,
        under bash's ulimit -f (SIGXFSZ ignored, so a write past it fails with EFBIG, as on a full disk).
        Returns { Process, Output, Error } (the last two: tasks that complete when it ends).
    #>
    function Start-FreshPwsh {
        param([Parameter(Mandatory)] [string] $Command, [int] $FileSizeLimitKb = 0)
        $script = Join-Path $TestDrive ("job-$([guid]::NewGuid().ToString('n')).ps1")
        [System.IO.File]::WriteAllText($script, $Command, (New-Object System.Text.UTF8Encoding $true))
        $shell = [Environment]::ProcessPath
        $arguments = @('-NoProfile', '-NonInteractive', '-File', $script)
        if ([System.IO.Path]::GetFileNameWithoutExtension($shell) -eq 'dotnet') { $arguments = @((Join-Path $PSHOME 'pwsh.dll')) + $arguments }
        $info = New-Object System.Diagnostics.ProcessStartInfo
        if ($FileSizeLimitKb -gt 0) {
            $info.FileName = 'bash'
            $info.Arguments = ConvertTo-CommandLine (@('-c', "trap '' XFSZ; ulimit -f $FileSizeLimitKb; exec `"`$0`" `"`$@`"", $shell) + $arguments)
            # The runtime's W^X double mapping backs code with a file as large as its reservation; without it the limit applies to real files only.
            $info.EnvironmentVariables['DOTNET_EnableWriteXorExecute'] = '0'
        }
        else {
            $info.FileName = $shell
            $info.Arguments = ConvertTo-CommandLine $arguments
        }
        $info.UseShellExecute = $false
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $info.WorkingDirectory = $TestDrive
        $info.EnvironmentVariables['NO_COLOR'] = '1'
        $process = [System.Diagnostics.Process]::Start($info)
        [pscustomobject]@{ Process = $process; Output = $process.StandardOutput.ReadToEndAsync(); Error = $process.StandardError.ReadToEndAsync() }
    }

    <# The lines a job needs before the README's: the module, and a connection to the fake. #>
    function Get-JobPreamble {
        param($Fake)
        @"
`$ErrorActionPreference = 'Continue'
Import-Module '$(Get-ManifestUnderTest)'
Connect-Intercom -BaseUri '$($Fake.BaseUri)' -Token (ConvertTo-SecureString '$($Fake.Token)' -AsPlainText -Force)
"@
    }

    function Wait-FakeWrites {
        param($Fake, [int] $Count, [int] $TimeoutSeconds = 120)
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while ((Get-FakeCallCount $Fake 'POST /contacts/{id}/subscriptions') -lt $Count -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Get-FakeCallCount $Fake 'POST /contacts/{id}/subscriptions' | Should -BeGreaterOrEqual $Count
    }
}

AfterAll {
    Remove-ModuleUnderTest
}

Describe 'A 3,000-row Add killed with SIGKILL, then resumed and undone as the README says' -Skip:($PSVersionTable.PSVersion.Major -lt 7) {
    BeforeAll {
        $fake = Open-FakeIntercomSession -Connect -Location $TestDrive
        $ids = 1..3000 | ForEach-Object { 'k{0:D4}' -f $_ }
        Add-FakeContact $fake @($ids | ForEach-Object { @{ id = $_ } })
        # Some contacts have a choice of another type: nothing here may touch it.
        foreach ($id in $ids | Select-Object -First 40) { Set-FakeChoice $fake $id 109 opt_out }
        $before = Get-FakeChoices $fake
        # No latency before a request is handled (so every request whose body arrived was applied),
        # and its answer 40 ms after: always some changes made and not yet answered.
        $null = Set-FakeKnob $fake @{ AnswerDelayMs = 40 }
        $csvPath = New-ContactFile (Join-Path $TestDrive 'contacts.csv') $ids
        $journal = Join-Path $TestDrive 'run.jsonl'
        $jobLine = Get-ReadmeCode -Containing '-JournalPath $journal -Resume -Summary -TimeLimit 2:40:00'
        $job = (Get-JobPreamble $fake) + "`n`$csvPath = '$csvPath'`n`$journal = '$journal'`n" + $jobLine
        Reset-FakeCall $fake
    }
    AfterAll {
        Close-FakeIntercomSession $fake
    }

    It 'leaves a journal that names every change the fake applied, as applied or in doubt' {
        $running = Start-FreshPwsh $job
        try { Wait-FakeWrites $fake 1000 }
        finally {
            $running.Process.Kill()     # SIGKILL: no finally, no flush, nothing of the module runs
            $null = $running.Process.WaitForExit(30000)
        }
        $running.Process.ExitCode | Should -Be 137

        $applied = Get-FakeApplied $fake $ids
        $entries = @(Get-IntercomJournal $journal)
        $mayHave = @($entries | Where-Object Outcome -in 'Applied', 'InDoubt' | ForEach-Object ContactId)
        @($applied | Where-Object { $mayHave -notcontains $_ }) | Should -BeNullOrEmpty
        # What the journal calls applied, the fake applied; and the kill caught changes on the wire.
        @($entries | Where-Object Outcome -eq 'Applied' | Where-Object { $applied -notcontains $_.ContactId }) | Should -BeNullOrEmpty
        @($entries | Where-Object Outcome -eq 'InDoubt').Count | Should -BeGreaterThan 0
        @($entries | Where-Object { $_.Outcome -eq 'InDoubt' -and $_.OutcomeTime }).Count | Should -Be 0   # no outcome line: killed
        $applied.Count | Should -BeGreaterOrEqual 990
        # The fake's own log agrees: every request answered 200 is an applied change in the journal.
        $answered = @((Get-FakeCall $fake).Requests | Where-Object { $_.method -eq 'POST' -and $_.status -eq 200 } | ForEach-Object { ($_.path -split '/')[2] })
        @($answered | Where-Object { $mayHave -notcontains $_ }) | Should -BeNullOrEmpty
        if (-not $IsWindows) { (Get-Item $journal).UnixFileMode | Should -Be ([System.IO.UnixFileMode] 'UserRead, UserWrite') }
        [System.IO.File]::ReadAllText($journal) | Should -Not -Match ([regex]::Escape($fake.Token))
    }

    It 'lists what the killed job may have done with the README''s lines' {
        $lines = Get-ReadmeCode -Containing 'Get-IntercomJournal $journal -Outcome InDoubt'
        $output = @(. ([scriptblock]::Create($lines)))
        @($output | Where-Object { $_ -is [Microsoft.PowerShell.Commands.GroupInfoNoElement] }).Name | Should -Contain 'Applied'
        @($output | Where-Object { $_ -is [IntercomSubscriptions.IntercomJournalEntry] }).Count | Should -BeGreaterThan 0
    }

    It 'runs the same line again: skips what the journal shows applied, reads what it has in doubt, sends no change twice' {
        $inDoubt = @(Get-IntercomJournal $journal -Outcome InDoubt).Count
        $result = Invoke-FreshPwsh $job -WorkingDirectory $TestDrive -TimeoutSeconds 300
        $result.ExitCode | Should -Be 0 -Because $result.Error

        @(Get-FakeApplied $fake $ids).Count | Should -Be 3000
        # Every request whose body reached the fake was applied (no latency before it): one per contact over both runs.
        $writes = @((Get-FakeCall $fake).Requests | Where-Object { $_.method -eq 'POST' -and $_.body } | ForEach-Object { ($_.path -split '/')[2] })
        $writes.Count | Should -Be 3000
        @($writes | Sort-Object -Unique).Count | Should -Be 3000
        Get-FakeCallCount $fake 'GET /contacts/{id}/subscriptions' | Should -Be $inDoubt
        $result.Output | Should -Match 'AlreadyApplied\s+:\s+[1-9]'
        $result.Output | Should -Match 'Status\s+:\s+Completed'
    }

    It 'undoes both runs with the README''s lines: the fake exactly as before, and a second undo changes nothing' {
        $null = Set-FakeKnob $fake @{ AnswerDelayMs = 0 }
        Reset-FakeCall $fake
        # The README's two lines (-WhatIf, then the undo), as printed, in a new pwsh in the journal's folder.
        $undo = (Get-JobPreamble $fake) + "`n" + (Get-ReadmeCode -Containing 'Get-IntercomJournal run.jsonl -Undo | Set-IntercomContactSubscription -WhatIf')
        $result = Invoke-FreshPwsh $undo -WorkingDirectory $TestDrive -TimeoutSeconds 300
        $result.ExitCode | Should -Be 0 -Because $result.Error
        $result.Output | Should -Match 'What if: 3,000 of 3,000 contact subscriptions would change'

        $now = Get-FakeChoices $fake
        @($now.Keys | Sort-Object) | Should -Be @($before.Keys | Sort-Object)
        foreach ($id in $before.Keys) { Get-FakeChoice $fake $id -AsText | Should -Be ((@($before[$id].Keys | Sort-Object | ForEach-Object { "$_=$($before[$id][$_])" })) -join ' ') }
        @(Get-FakeWrite $fake).Count | Should -Be 3000

        Reset-FakeCall $fake
        $again = Invoke-FreshPwsh $undo -WorkingDirectory $TestDrive -TimeoutSeconds 300
        $again.ExitCode | Should -Be 0 -Because $again.Error
        @(Get-FakeWrite $fake).Count | Should -Be 0
    }
}

Describe 'Stop-Job on a thread job that is writing a journal' -Skip:($PSVersionTable.PSVersion.Major -lt 7) {
    BeforeAll {
        $fake = Start-FakeIntercom
        $ids = 1..400 | ForEach-Object { 's{0:D3}' -f $_ }
        Add-FakeContact $fake @($ids | ForEach-Object { @{ id = $_ } })
        # Answers far slower than the stop's grace: the changes on the wire when the job stops end in doubt.
        $null = Set-FakeKnob $fake @{ AnswerDelayMs = 6000 }
        $csvPath = New-ContactFile (Join-Path $TestDrive 'contacts.csv') $ids
        $journal = Join-Path $TestDrive 'job.jsonl'
    }
    AfterAll {
        Stop-FakeIntercom $fake
    }

    It 'settles every change it sent in the journal before Stop-Job returns' {
        $job = Start-ThreadJob -ArgumentList (Get-ManifestUnderTest), $fake.BaseUri, (Get-FakeToken $fake), $csvPath, $journal -ScriptBlock {
            param($Manifest, $BaseUri, $Token, $CsvPath, $Journal)
            Import-Module $Manifest
            Connect-Intercom -BaseUri $BaseUri -Token $Token
            Import-Csv $CsvPath | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -JournalPath $Journal -Summary
        }
        try {
            Wait-FakeWrites $fake 8
            $stopped = Measure-Command { Stop-Job $job }
        }
        finally { Remove-Job $job -Force }

        $stopped.TotalSeconds | Should -BeLessThan 6
        $applied = Get-FakeApplied $fake $ids
        $entries = @(Get-IntercomJournal $journal)
        @($applied | Where-Object { ($entries | Where-Object Outcome -in 'Applied', 'InDoubt').ContactId -notcontains $_ }) | Should -BeNullOrEmpty
        # Abandoned after the grace, each with an outcome line written before the stop returned.
        $abandoned = @($entries | Where-Object Outcome -eq 'InDoubt')
        $abandoned.Count | Should -BeGreaterOrEqual 1
        @($abandoned | Where-Object { -not $_.OutcomeTime }).Count | Should -Be 0
        $end = Get-Content $journal | Select-Object -Last 1 | ConvertFrom-Json
        $end.event, $end.status | Should -Be 'end', 'Stopped'
        $end.in_doubt | Should -Be $abandoned.Count
        $end.received | Should -Be ($end.succeeded + $end.failed + $end.skipped + $end.in_doubt + $end.not_processed)
    }
}

Describe 'A journal that fills its disk in the middle of a run' -Skip:(-not $IsLinux) {
    BeforeAll {
        $fake = Start-FakeIntercom
        $ids = 1..600 | ForEach-Object { 'f{0:D3}' -f $_ }
        Add-FakeContact $fake @($ids | ForEach-Object { @{ id = $_ } })
        $null = Set-FakeKnob $fake @{ AnswerDelayMs = 20 }
        $csvPath = New-ContactFile (Join-Path $TestDrive 'contacts.csv') $ids
        $journal = Join-Path $TestDrive 'full.jsonl'
    }
    AfterAll {
        Stop-FakeIntercom $fake
    }

    It 'ends the run cleanly: nothing more sent, every sent change counted, IntercomJournalFailed' {
        $job = (Get-JobPreamble $fake) + @"

try {
    Import-Csv '$csvPath' | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in -JournalPath '$journal' -Summary -SummaryVariable run -ErrorAction SilentlyContinue | Out-Null
}
catch { 'error ' + `$_.Exception.ErrorId }
`$run | Select-Object @{ n = 'Status'; e = { "`$(`$_.Status)" } }, Received, Succeeded, Failed, Skipped, InDoubt, NotProcessed | ConvertTo-Json -Compress
"@
        $running = Start-FreshPwsh $job -FileSizeLimitKb 48
        $running.Process.WaitForExit(120000) | Should -BeTrue
        $output = @($running.Output.Result -split "`r?`n" | Where-Object { $_ })

        $output | Should -Contain 'error IntercomJournalFailed' -Because $running.Error.Result
        $run = $output[-1] | ConvertFrom-Json
        $run.Status | Should -Be 'Failed'
        $run.Received | Should -Be ($run.Succeeded + $run.Failed + $run.Skipped + $run.InDoubt + $run.NotProcessed)
        $run.NotProcessed | Should -BeGreaterThan 0
        # Every request that reached the fake is counted as succeeded, failed or in doubt: none not processed.
        $writes = @((Get-FakeCall $fake).Requests | Where-Object { $_.method -eq 'POST' -and $_.body })
        $writes.Count | Should -Be ($run.Succeeded + $run.Failed + $run.InDoubt)
        $writes.Count | Should -BeLessThan 600
        # And each has its intent in the journal: the file stopped at the limit, its last line may be torn.
        (Get-Item $journal).Length | Should -BeLessOrEqual (48KB)
        $entries = @(Get-IntercomJournal $journal 3>$null)
        $applied = Get-FakeApplied $fake $ids
        @($applied | Where-Object { ($entries | Where-Object Outcome -in 'Applied', 'InDoubt').ContactId -notcontains $_ }) | Should -BeNullOrEmpty
    }
}
