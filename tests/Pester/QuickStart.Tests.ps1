#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The README's first lines, its quick start, its cmdlet table and its "Try it without an Intercom
    account" section, run as printed against a fake Intercom.
    How the suite runs and what runs where: tests/Pester/README.md.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-ModuleUnderTest
}

AfterAll {
    Remove-ModuleUnderTest
}

Describe 'The README''s opening lines' {
    BeforeAll {
        $fake = Open-FakeIntercomSession -Location $TestDrive
        New-TextFile contacts.csv -Line 'contact_id', $Ada, $Grace
        New-TextFile wishes.csv -Line 'email,subscription_name,state', 'grace@example.com,Product updates,Unsubscribed'
    }
    AfterAll {
        Close-FakeIntercomSession $fake
    }

    It 'run as printed: types out, the CSV opted in, the -WhatIf lines change nothing' {
        $token = Get-FakeToken
        $code = Get-ReadmeCode -Containing 'Connect-Intercom -Token $token -Region EU          # session-scoped connection'

        $run = Invoke-WithTranscript -Path (Join-Path $TestDrive 'opening.txt') { . ([scriptblock]::Create($code)) }

        (Get-IntercomConnection).BaseUri | Should -Be $fake.BaseUri
        $types = @($run.Output | Where-Object { $_.PSObject.TypeNames -contains 'IntercomSubscriptions.SubscriptionType' })
        $types.Id | Should -Be '108', '109', '110', '111'
        $added = @($run.Output | Where-Object { $_.PSObject.TypeNames -contains 'IntercomSubscriptions.ContactSubscription' -and $_.SubscriptionId -eq '108' })
        $added.ContactId | Should -Be $Ada, $Grace, $Ada
        (Get-FakeChoice $fake $Ada)['108'] | Should -Be 'opt_in'
        (Get-FakeChoice $fake $Grace)['108'] | Should -Be 'opt_in'
        # wishes.csv and the Remove line ran with -WhatIf: Grace keeps Product updates, Ada keeps 108.
        (Get-FakeChoice $fake $Grace).Contains('109') | Should -BeFalse
        @(Get-FakeWrite $fake).Count | Should -Be 2
        $run.Transcript | Should -Match ([regex]::Escape("What if: Performing the operation ""Opt out of subscription type 109 (Product updates)"))
        $run.Transcript | Should -Match "What if: .*Remove .*108.* on target ""Contact '$Ada'"""
    }
}

Describe 'The README''s quick start' {
    BeforeAll {
        $fake = Open-FakeIntercomSession
        # The quick start runs "from the repository root, after the build": its folder here has the
        # repository's manifest and out/ (linked), and the contacts.csv it names.
        $root = Join-Path $TestDrive 'clone'
        New-Item -ItemType Directory $root | Out-Null
        New-Item -ItemType SymbolicLink -Path (Join-Path $root 'IntercomSubscriptions.psd1') -Target (Join-Path (Get-RepositoryRoot) 'IntercomSubscriptions.psd1') | Out-Null
        New-Item -ItemType SymbolicLink -Path (Join-Path $root 'out') -Target (Join-Path (Get-RepositoryRoot) 'out') | Out-Null
        New-TextFile (Join-Path $root 'contacts.csv') -Line 'contact_id', $Ada, $Grace
        Push-Location $root -StackName IntercomPester
    }
    AfterAll {
        Close-FakeIntercomSession $fake
        # The module the quick start imported from the linked folder goes before the folder does.
        Get-Module IntercomSubscriptions | Remove-Module
        Import-ModuleUnderTest
    }

    It 'runs as printed, and its sample output is what Get-IntercomSubscriptionType prints' {
        Mock Read-Host { Get-FakeToken } -ParameterFilter { $AsSecureString }
        $code = Get-ReadmeCode -Containing '$token = Read-Host -AsSecureString'
        Get-Module IntercomSubscriptions | Remove-Module   # a new session: the quick start imports it

        $run = Invoke-WithTranscript -Path (Join-Path $TestDrive 'quick-start.txt') { . ([scriptblock]::Create($code)) }

        Should -Invoke Read-Host -Times 1 -Exactly
        (Get-IntercomConnection).BaseUri | Should -Be $fake.BaseUri
        # Opted in from contacts.csv; the Get | Remove -WhatIf at the end removed nothing.
        (Get-Module IntercomSubscriptions).ModuleBase | Should -Be (Get-Location).Path
        Get-FakeChoice $fake $Ada -AsText | Should -Be '108=opt_in 109=opt_out'
        Get-FakeChoice $fake $Grace -AsText | Should -Be '108=opt_in'
        @($run.Transcript -split "`n" | Where-Object { $_ -like 'What if:*' }).Count | Should -Be 2
        # -IncludeDefault: Ada's two choices, then SMS offers at its default.
        $effective = @($run.Output | Where-Object { $_.PSObject.TypeNames -contains 'IntercomSubscriptions.ContactSubscription' } | Select-Object -Last 3)
        ($effective | ForEach-Object { "$($_.SubscriptionId) $($_.Source) $($_.Subscribed)" }) | Should -Be '108 Explicit True', '109 Explicit False', '110 Default False'

        # The comment under Get-IntercomSubscriptionType is its real table.
        $printed = @($code -split "`n" | Where-Object { $_ -match '^#  ' } | ForEach-Object { ($_ -replace '^#', '').Trim() })
        $real = @((Get-IntercomSubscriptionType | Out-String -Width 200) -split "`r?`n" | ForEach-Object { $_.Trim() } | Where-Object { $_ })
        ($printed[0] -split '\s+') | Should -Be ($real[0] -split '\s+')
        foreach ($row in $printed | Select-Object -Skip 2) {
            ($real -replace '\s+', ' ') | Should -Contain ($row -replace '\s+', ' ')
        }
    }
}

Describe 'The README''s "say what you want" lines (wishes.csv)' {
    BeforeAll {
        $fake = Open-FakeIntercomSession -Connect -Location $TestDrive
        New-TextFile wishes.csv -Line 'email,subscription_name,state', 'grace@example.com,Product updates,Unsubscribed', 'ada@example.com,Product updates,Subscribed', 'ada@example.com,SMS offers,Default'
        $code = Get-ReadmeCode -Containing 'Import-Csv wishes.csv | Set-IntercomContactSubscription            # one object per row'
    }
    AfterAll {
        Close-FakeIntercomSession $fake
    }

    It 'previews with counts, then changes what differs' {
        $run = Invoke-WithTranscript -Path (Join-Path $TestDrive 'wishes.txt') { . ([scriptblock]::Create($code)) }

        $run.Transcript | Should -Match 'What if: 2 of 3 contact subscriptions would change; 1 is already in the state asked for'
        ($run.Output | ForEach-Object { "$($_.ContactId) $($_.SubscriptionId) $($_.Action) $($_.Changed)" }) |
            Should -Be "$Grace 109 opt_out True", "$Ada 109 remove True", "$Ada 110 none False"
        Get-FakeChoice $fake $Grace -AsText | Should -Be '109=opt_out'
        Get-FakeChoice $fake $Ada -AsText | Should -Be ''
        @(Get-FakeWrite $fake).Count | Should -Be 2
    }

    It 'run again, sends no write at all' {
        Reset-FakeCall $fake

        $again = @(. ([scriptblock]::Create($code)))

        $again.Changed | Should -Be $false, $false, $false
        @(Get-FakeWrite $fake).Count | Should -Be 0
    }
}

Describe 'The README''s cmdlet table' {
    It 'lists exactly the cmdlets the module exports' {
        $readme = Get-Content (Join-Path (Get-RepositoryRoot) 'README.md')
        $table = @($readme | Where-Object { $_ -match '^\| `([A-Za-z]+-[A-Za-z]+)` \|' } | ForEach-Object { $Matches[1] })
        $exported = @((Get-Module IntercomSubscriptions | Select-Object -First 1).ExportedCmdlets.Keys)

        $exported.Count | Should -Be 9
        $table | Sort-Object | Should -Be ($exported | Sort-Object)
    }
}

Describe 'The README''s fake Intercom, "Try it without an Intercom account"' {
    BeforeAll {
        $fake = Start-FakeIntercom
    }
    AfterAll {
        Close-FakeIntercomSession $fake
    }

    It 'prints a Connect-Intercom line that connects when pasted' {
        $fake.ConnectLine | Should -BeLike "Connect-Intercom -BaseUri $($fake.BaseUri) -Token *"

        Invoke-Expression $fake.ConnectLine

        (Get-IntercomConnection).BaseUri | Should -Be $fake.BaseUri
        (Get-FakeCall $fake).Requests[0].authorization | Should -Be "Bearer $($fake.Token)"
    }

    It 'has the types and contacts the README lists' {
        $types = Get-IntercomSubscriptionType | ForEach-Object { "$($_.Id) $($_.Name) $($_.ConsentType) $($_.State)" }
        $types | Should -Be '108 Newsletters opt_in live', '109 Product updates opt_out live', '110 SMS offers opt_in live', '111 Old digest opt_out archived'
        (Invoke-FakeControl $fake -Path "contacts/$Ada").email | Should -Be 'ada@example.com'
        (Invoke-FakeControl $fake -Path "contacts/$Ada").external_id | Should -Be 'u-1001'
        (Invoke-FakeControl $fake -Path "contacts/$Grace").external_id | Should -Be 'u-1002'
        $shared = Get-IntercomContactSubscription -Email shared@example.com -ErrorAction SilentlyContinue -ErrorVariable ambiguous
        $shared | Should -BeNullOrEmpty
        "$ambiguous" | Should -Match '63a07ddf05a32042dffac967'
        "$ambiguous" | Should -Match '63a07ddf05a32042dffac968'
    }

    It 'makes Intercom slow and busy with the options the README names' {
        $help = Invoke-Process -FilePath dotnet -ArgumentList @((Get-FakeIntercomAssembly), '--help') -TimeoutSeconds 60
        foreach ($option in '--latency-ms', '--rate-limit', '--window-seconds') { $help.Error | Should -Match $option }
    }
}
