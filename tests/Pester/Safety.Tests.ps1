#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    What an unattended script relies on, in real pwsh: -WhatIf and -Confirm with $ConfirmPreference
    (answered at a real prompt), $ErrorActionPreference = 'Stop' and the README's catch, two
    connections in two thread jobs of one process, and the token nowhere in a transcript.
    How the suite runs and what runs where: tests/Pester/README.md.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-ModuleUnderTest
}

AfterAll {
    Remove-ModuleUnderTest
}

Describe '-WhatIf, -Confirm and $ConfirmPreference' {
    BeforeAll {
        $fake = Open-FakeIntercomSession -Connect -Location $TestDrive
        New-TextFile contacts.csv -Line 'contact_id', $Ada, $Grace
    }
    AfterAll {
        Close-FakeIntercomSession $fake
    }
    BeforeEach {
        Reset-FakeIntercom $fake
    }

    It '-WhatIf says what each row would change and sends no change (<Line>)' -ForEach @(
        @{ Line = 'Import-Csv contacts.csv | Add-IntercomContactSubscription -SubscriptionId 108 -WhatIf'; Says = 'Record opt_in for subscription type 108' }
        @{ Line = 'Import-Csv contacts.csv | Remove-IntercomContactSubscription -SubscriptionId 109 -WhatIf'; Says = 'Remove the choice for subscription type 109' }
        @{ Line = 'Import-Csv contacts.csv | Set-IntercomContactSubscription -SubscriptionId 109 -State Unsubscribed -WhatIf'; Says = 'Opt out of subscription type 109' }
    ) {
        $run = Invoke-WithTranscript -Path (Join-Path $TestDrive 'whatif.txt') { Invoke-Expression $Line }

        @($run.Transcript -split "`n" | Where-Object { $_ -like "What if: *$Says*" }).Count | Should -BeGreaterOrEqual 1
        @(Get-FakeWrite $fake).Count | Should -Be 0
        Get-FakeChoice $fake $Ada -AsText | Should -Be '109=opt_out'
    }

    It '$WhatIfPreference = $true sends no change either' {
        $WhatIfPreference = $true
        try { Import-Csv contacts.csv | Add-IntercomContactSubscription -SubscriptionId 110 | Out-Null }
        finally { $WhatIfPreference = $false }

        @(Get-FakeWrite $fake).Count | Should -Be 0
    }

    It 'asks before each change once $ConfirmPreference is at its impact, and does only what is answered Yes' {
        # A new pwsh whose prompts read the answers from stdin: No, Yes, No.
        $result = Invoke-FreshPwsh -InputLine 'N', 'Y', 'N' -Environment @{ FAKE_URI = "$($fake.BaseUri)"; FAKE_TOKEN = $fake.Token; MANIFEST = (Get-ManifestUnderTest) } -Command @'
Import-Module $env:MANIFEST
Connect-Intercom -BaseUri $env:FAKE_URI -Token (ConvertTo-SecureString $env:FAKE_TOKEN -AsPlainText -Force)
Remove-IntercomContactSubscription -ContactId 63a07ddf05a32042dffac965 -SubscriptionId 109      # Medium impact: no prompt at High
$ConfirmPreference = 'Medium'
Remove-IntercomContactSubscription -ContactId 63a07ddf05a32042dffac966 -SubscriptionId 109       # asked: No
Add-IntercomContactSubscription -ContactId 63a07ddf05a32042dffac966 -SubscriptionId 110          # Low impact: not asked
Add-IntercomContactSubscription -ContactId 63a07ddf05a32042dffac965, 63a07ddf05a32042dffac966 -SubscriptionId 108 -Confirm  # asked: Yes, No
Remove-IntercomContactSubscription -ContactId 63a07ddf05a32042dffac966 -SubscriptionId 110 -Confirm:$false
'done'
'@
        $result.ExitCode | Should -Be 0
        $result.Output | Should -Match 'done'
        @([regex]::Matches($result.Output, 'Are you sure you want to perform this action\?')).Count | Should -Be 3
        # Ada: her opt-out removed without a prompt, opted in to 108 (Yes). Grace: asked No for 108;
        # 110 added without a prompt, then removed with -Confirm:$false.
        Get-FakeChoice $fake $Ada -AsText | Should -Be '108=opt_in'
        Get-FakeChoice $fake $Grace -AsText | Should -Be ''
    }

    It 'changes nothing it cannot ask about, in a session with no one to ask' {
        # A runspace with no user interface, as a scheduled or hosted script runs.
        $shell = [powershell]::Create([System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2())
        try {
            $null = $shell.AddScript({
                    param($Manifest, $BaseUri, $Token)
                    Import-Module $Manifest
                    Connect-Intercom -BaseUri $BaseUri -Token $Token
                    $ConfirmPreference = 'Low'
                    Add-IntercomContactSubscription -ContactId 63a07ddf05a32042dffac966 -SubscriptionId 110
                }).AddParameters(@{ Manifest = (Get-ManifestUnderTest); BaseUri = $fake.BaseUri; Token = (Get-FakeToken $fake) })
            $failure = $null
            try { $null = $shell.Invoke() } catch { $failure = $_ }
            $errors = @($shell.Streams.Error) + @($failure | Where-Object { $_ })
        }
        finally { $shell.Runspace.Dispose(); $shell.Dispose() }

        "$errors" | Should -Match 'prompt|interact'
        Get-FakeChoice $fake $Grace -AsText | Should -Be ''
        @(Get-FakeWrite $fake).Count | Should -Be 0
    }
}

Describe '$ErrorActionPreference = ''Stop'' and the README''s catch' {
    BeforeAll {
        $fake = Open-FakeIntercomSession -Connect -Location $TestDrive
        $ids = 0..12 | ForEach-Object { if ($_ -eq 4) { '63a07ddf05a32042dffac999' } else { 'stop{0:D3}' -f $_ } }
        Add-FakeContact $fake @($ids | Where-Object { $_ -like 'stop*' } | ForEach-Object { @{ id = $_ } })
        $null = Set-FakeKnob $fake @{ LatencyMs = 100 }
        New-TextFile contacts.csv -Line (@('contact_id') + $ids)
    }
    AfterAll {
        Close-FakeIntercomSession $fake
    }

    It 'ends the run at the first failing row, reports every change applied, and the README''s catch gets ErrorId, Kind, StatusCode, RequestId, ContactKey' {
        # The catch clause as the README prints it, around the quick start's CSV line.
        $readme = [System.IO.File]::ReadAllText((Join-Path (Get-RepositoryRoot) 'README.md'))
        $catch = [regex]::Match($readme, '`(catch \[IntercomSubscriptions\.[^`]+)`').Groups[1].Value
        $catch | Should -Not -BeNullOrEmpty
        $output = New-Object System.Collections.Generic.List[object]
        $script = @"
try {
    Import-Csv contacts.csv | Add-IntercomContactSubscription -SubscriptionId 110 -ThrottleLimit 2 -WarningVariable warned |
        ForEach-Object { `$output.Add(`$_) }
    `$wentOn = `$true
}
$catch
"@
        $ErrorActionPreference = 'Stop'
        try { $caught = @(. ([scriptblock]::Create($script))) }
        finally { $ErrorActionPreference = 'Continue' }

        $wentOn | Should -BeNullOrEmpty
        # What the README's catch lists: $e.ErrorId, $e.Kind, $e.StatusCode, $e.RequestId, $e.ContactKey.
        $catch | Should -Match ([regex]::Escape('$e.ErrorId, $e.Kind, $e.StatusCode, $e.RequestId, $e.ContactKey'))
        $caught[0] | Should -Be 'IntercomContactNotFound'
        "$($caught[1])" | Should -Be 'ContactNotFound'
        [int] $caught[2] | Should -Be 404
        $caught[3] | Should -Not -BeNullOrEmpty
        $caught[4] | Should -Be '63a07ddf05a32042dffac999'
        $notFound = @((Get-FakeCall $fake).Requests | Where-Object { $_.status -eq 404 })
        $notFound.path | Should -Be '/contacts/63a07ddf05a32042dffac999/subscriptions'
        # Every change the fake applied was output or named in a warning; no row far past the failure was sent.
        $applied = @((Get-FakeChoices $fake).Keys | Where-Object { $_ -like 'stop*' })
        $unreported = @($applied | Where-Object { $output.ContactId -notcontains $_ -and "$warned" -notmatch $_ })
        $unreported | Should -BeNullOrEmpty
        $applied.Count | Should -BeGreaterOrEqual 4
        @(Get-FakeWrite $fake).Count | Should -BeLessOrEqual 10
    }

    It 'the README''s catch takes a contact not found by email too' {
        # The type the README's catch names, read from the README, so that the two cannot drift apart.
        $readme = [System.IO.File]::ReadAllText((Join-Path (Get-RepositoryRoot) 'README.md'))
        $type = [regex]::Match($readme, '`catch \[(IntercomSubscriptions\.\w+)\]').Groups[1].Value
        $type | Should -Be 'IntercomSubscriptions.IntercomException'
        $ErrorActionPreference = 'Stop'
        try {
            Add-IntercomContactSubscription -Email nobody@example.com -SubscriptionId 108
            $caught = 'nothing thrown'
        }
        catch [IntercomSubscriptions.IntercomException] { $caught = "$($_.Exception.Kind) $($_.Exception.ContactKey)" }
        catch { $caught = "not caught: $($_.Exception.GetType().FullName)" }
        finally { $ErrorActionPreference = 'Continue' }

        $caught | Should -Be 'ContactNotFound nobody@example.com'
    }
}

Describe 'Two thread jobs, two connections, one process' {
    BeforeAll {
        # Two workspaces, each its own fake with its own token: as two Azure Automation jobs sharing a sandbox process.
        $fakeA = Start-FakeIntercom -Token 'token-of-workspace-a'
        $fakeB = Start-FakeIntercom -Token 'token-of-workspace-b'
        Use-FakeIntercom $fakeA
        Connect-Intercom -Token (Get-FakeToken $fakeA)
    }
    AfterAll {
        Disconnect-Intercom -ErrorAction SilentlyContinue
        Stop-FakeIntercom $fakeA
        Stop-FakeIntercom $fakeB
    }

    It 'each job sees only its own connection, and its changes reach only its own workspace' -Skip:($PSVersionTable.PSVersion.Major -lt 7) {
        $bothConnected = New-Object System.Threading.CountdownEvent 2
        $job = {
            param($Manifest, $BaseUri, $Token, $ContactId, $SubscriptionId, $Gate)
            Import-Module $Manifest
            $before = Get-IntercomConnection -ErrorAction SilentlyContinue
            Connect-Intercom -BaseUri $BaseUri -Token (ConvertTo-SecureString $Token -AsPlainText -Force)
            # Both connected before either works: each job's default connection must still be its own.
            $null = $Gate.Signal()
            $null = $Gate.Wait([TimeSpan]::FromSeconds(30))
            $added = 1..5 | ForEach-Object { Add-IntercomContactSubscription -ContactId $ContactId -SubscriptionId $SubscriptionId }
            [pscustomobject]@{
                Before = $before
                After  = "$((Get-IntercomConnection).BaseUri)"
                Added  = @($added).Count
            }
        }
        $a = Start-ThreadJob -ScriptBlock $job -ArgumentList (Get-ManifestUnderTest), $fakeA.BaseUri, $fakeA.Token, $Ada, '110', $bothConnected
        $b = Start-ThreadJob -ScriptBlock $job -ArgumentList (Get-ManifestUnderTest), $fakeB.BaseUri, $fakeB.Token, $Grace, '108', $bothConnected
        try {
            $null = Wait-Job $a, $b -Timeout 90
            $resultA = Receive-Job $a -ErrorVariable errorsA
            $resultB = Receive-Job $b -ErrorVariable errorsB
        }
        finally { Remove-Job $a, $b -Force; $bothConnected.Dispose() }

        (@($errorsA) + @($errorsB)).Count | Should -Be 0
        # Before connecting, neither saw this session's connection.
        $resultA.Before | Should -BeNullOrEmpty
        $resultB.Before | Should -BeNullOrEmpty
        $resultA.After | Should -Be "$($fakeA.BaseUri)"
        $resultB.After | Should -Be "$($fakeB.BaseUri)"
        $resultA.Added | Should -Be 5
        $resultB.Added | Should -Be 5
        Get-FakeChoice $fakeA $Ada -AsText | Should -Be '109=opt_out 110=opt_in'
        Get-FakeChoice $fakeA $Grace -AsText | Should -Be ''
        Get-FakeChoice $fakeB $Grace -AsText | Should -Be '108=opt_in'
        Get-FakeChoice $fakeB $Ada -AsText | Should -Be '109=opt_out'
        # Each workspace saw only its own token.
        @((Get-FakeCall $fakeA).Requests.authorization | Select-Object -Unique) | Should -Be 'Bearer token-of-workspace-a'
        @((Get-FakeCall $fakeB).Requests.authorization | Select-Object -Unique) | Should -Be 'Bearer token-of-workspace-b'
        # And this session's own connection is still workspace A.
        (Get-IntercomConnection).BaseUri | Should -Be $fakeA.BaseUri
    }
}

Describe 'The token in a transcript with -Verbose' {
    BeforeAll {
        $secret = 'canary-' + [guid]::NewGuid().ToString('n')
        $fake = Open-FakeIntercomSession -Token $secret -Location $TestDrive
        New-TextFile contacts.csv -Line 'contact_id,email', "$Ada,", ',grace@example.com', '63a07ddf05a32042dffac999,'
    }
    AfterAll {
        Close-FakeIntercomSession $fake
    }

    It 'appears nowhere in what the session shows, errors and verbose messages included' {
        $transcript = Join-Path $TestDrive 'session.txt'
        # A hostile answer: a server error that echoes the token back.
        $null = Set-FakeKnob $fake @{ Scripted = @{ status = 403; pathContains = $Grace; method = 'GET'; body = @{ type = 'error.list'; request_id = 'req-echo'; errors = @(@{ code = 'forbidden'; message = "Token $secret lacks a scope" }) } } }
        $Error.Clear()
        $run = Invoke-WithTranscript -Path $transcript {
            $DebugPreference = 'Continue'
            Connect-Intercom -Token (ConvertTo-SecureString $secret -AsPlainText -Force) -Region EU -Verbose
            Get-IntercomConnection | Format-List * | Out-Host
            Get-IntercomConnection | ConvertTo-Json -Depth 4 | Out-Host
            Import-Csv contacts.csv | Add-IntercomContactSubscription -SubscriptionId 110 -Verbose -ErrorAction Continue
            Get-IntercomContactSubscription -ContactId $Grace -Verbose -ErrorAction Continue
            try { Connect-Intercom -Token (ConvertTo-SecureString 'wrong-token' -AsPlainText -Force) -Verbose }
            catch { $_ | Format-List * -Force | Out-Host }
            $Error | Format-List * -Force | Out-Host
        }

        $run.Transcript | Should -Match 'VERBOSE: '
        $run.Transcript | Should -Match 'req-echo'
        $run.Transcript | Should -Match 'IntercomContactNotFound'
        $run.Transcript | Should -Not -Match $secret
        # The token did reach the fake, as the Authorization header only.
        @((Get-FakeCall $fake).Requests | Where-Object { $_.authorization -eq "Bearer $secret" }).Count | Should -BeGreaterThan 0
    }
}
