#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The round trips the README promises: what one cmdlet writes, piped (or exported and imported)
    into the next, checked on the fake's state and on the writes it received.
    How the suite runs and what runs where: tests/Pester/README.md.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-ModuleUnderTest
}

AfterAll {
    Remove-ModuleUnderTest
}

Describe 'Round trips between the cmdlets' {
    BeforeAll {
        $fake = Open-FakeIntercomSession -Connect -Location $TestDrive
    }
    AfterAll {
        Close-FakeIntercomSession $fake
    }
    BeforeEach {
        Reset-FakeIntercom $fake
        # Ada: opted out of Product updates (sample data) and into SMS offers.
        Set-FakeChoice $fake $Ada 110 opt_in
        Reset-FakeCall $fake
    }

    It 'Get | Remove clears a contact''s choices, one DELETE each (the README''s undo)' {
        Get-IntercomContactSubscription -ContactId 63a07ddf05a32042dffac965 | Remove-IntercomContactSubscription

        Get-FakeChoice $fake $Ada -AsText | Should -Be ''
        (Get-FakeWrite $fake | ForEach-Object { "$($_.method) $($_.path)" } | Sort-Object) |
            Should -Be "DELETE /contacts/$Ada/subscriptions/109", "DELETE /contacts/$Ada/subscriptions/110"
    }

    It 'Get -IncludeDefault, kept, is put back by Add: the choices come back and no default becomes one' {
        $backup = Get-IntercomContactSubscription -ContactId $Ada -IncludeDefault
        $backup | Remove-IntercomContactSubscription
        Get-FakeChoice $fake $Ada -AsText | Should -Be ''
        Reset-FakeCall $fake

        $backup | Add-IntercomContactSubscription

        Get-FakeChoice $fake $Ada -AsText | Should -Be '109=opt_out 110=opt_in'
        @(Get-FakeWrite $fake).Count | Should -Be 2
    }

    It 'Get -IncludeDefault | Add -ContactId copies one contact''s choices to another' {
        Get-IntercomContactSubscription -Email ada@example.com -IncludeDefault | Add-IntercomContactSubscription -ContactId $Grace

        Get-FakeChoice $fake $Grace -AsText | Should -Be '109=opt_out 110=opt_in'
        Get-FakeChoice $fake $Ada -AsText | Should -Be '109=opt_out 110=opt_in'
    }

    It 'a subscription type piped into Add is its id and consent (Get-IntercomSubscriptionType 110 | Add-…)' {
        Get-IntercomSubscriptionType 110 | Add-IntercomContactSubscription -ContactId 63a07ddf05a32042dffac966

        Get-FakeChoice $fake $Grace -AsText | Should -Be '110=opt_in'
    }

    It 'types found by name pipe into Add for the contacts of a CSV' {
        New-TextFile contacts.csv -Line 'contact_id', $Grace
        $type = Get-IntercomSubscriptionType -Name Newsletters

        Import-Csv contacts.csv | Add-IntercomContactSubscription -SubscriptionId $type.Id -Consent opt_in

        Get-FakeChoice $fake $Grace -AsText | Should -Be '108=opt_in'
    }

    It 'Export-Csv of Get, then Import-Csv piped back into Add, restores the choices (defaults skipped)' {
        Get-IntercomContactSubscription -ContactId $Ada -IncludeDefault | Export-Csv backup.csv -NoTypeInformation
        Get-IntercomContactSubscription -ContactId $Ada | Remove-IntercomContactSubscription
        Reset-FakeCall $fake

        $restored = @(Import-Csv backup.csv | Add-IntercomContactSubscription)

        ($restored | ForEach-Object { "$($_.SubscriptionId) $($_.Source)" }) | Should -Be '109 Explicit', '110 Explicit'
        Get-FakeChoice $fake $Ada -AsText | Should -Be '109=opt_out 110=opt_in'
        @(Get-FakeWrite $fake).Count | Should -Be 2
    }

    It 'Export-Csv of Get, then Import-Csv piped back into Remove, undoes exactly those choices' {
        Set-FakeChoice $fake $Grace 108 opt_in
        Get-IntercomContactSubscription -ContactId $Ada | Export-Csv undo.csv -NoTypeInformation

        Import-Csv undo.csv | Remove-IntercomContactSubscription -Confirm:$false

        Get-FakeChoice $fake $Ada -AsText | Should -Be ''
        Get-FakeChoice $fake $Grace -AsText | Should -Be '108=opt_in'
    }

    It 'the audit (-All | Export-Csv) imports back into Remove for one type' {
        Set-FakeChoice $fake $Grace 110 opt_in
        Set-FakeChoice $fake $Grace 108 opt_in
        Get-IntercomContactSubscription -All -SubscriptionName 'SMS offers' | Export-Csv sms-choices.csv -NoTypeInformation

        Import-Csv sms-choices.csv | Remove-IntercomContactSubscription -Confirm:$false

        Get-FakeChoice $fake $Ada -AsText | Should -Be '109=opt_out'
        Get-FakeChoice $fake $Grace -AsText | Should -Be '108=opt_in'
    }

    It 'Set''s record of what it did (| Export-Csv applied.csv) imports back and a second Set writes nothing' {
        New-TextFile wishes.csv -Line 'email,subscription_name,state', 'grace@example.com,Product updates,Unsubscribed', 'ada@example.com,Newsletters,Subscribed'
        Import-Csv wishes.csv | Set-IntercomContactSubscription -Confirm:$false | Export-Csv applied.csv -NoTypeInformation
        Get-FakeChoice $fake $Grace -AsText | Should -Be '109=opt_out'
        Reset-FakeCall $fake

        $again = @(Import-Csv applied.csv | Set-IntercomContactSubscription -Confirm:$false)

        $again.Changed | Should -Be $false, $false
        @(Get-FakeWrite $fake).Count | Should -Be 0
    }

    It 'the audit of one type pipes into Set -State Default (Set''s help, example 3)' {
        Set-FakeChoice $fake $Grace 108 opt_in

        Get-IntercomContactSubscription -All -SubscriptionId 108 | Set-IntercomContactSubscription -State Default -Confirm:$false

        Get-FakeChoice $fake $Grace -AsText | Should -Be ''
        Get-FakeChoice $fake $Ada -AsText | Should -Be '109=opt_out 110=opt_in'
    }

    It 'Get | Set copies what a contact has: "make it so"' {
        Get-IntercomContactSubscription -ContactId $Ada | Set-IntercomContactSubscription -ContactId $Grace -Confirm:$false

        Get-FakeChoice $fake $Grace -AsText | Should -Be '109=opt_out 110=opt_in'
        Reset-FakeCall $fake
        Get-IntercomContactSubscription -ContactId $Ada | Set-IntercomContactSubscription -Confirm:$false
        @(Get-FakeWrite $fake).Count | Should -Be 0
    }

    It 'Get -IncludeDefault | Set mirrors a contact: its defaults remove the other contact''s extra choices' {
        Set-FakeChoice $fake $Grace 108 opt_in

        Get-IntercomContactSubscription -Email ada@example.com -IncludeDefault | Set-IntercomContactSubscription -ContactId $Grace -Confirm:$false

        Get-FakeChoice $fake $Grace -AsText | Should -Be '109=opt_out 110=opt_in'
    }

    It 'Get-IntercomSubscriptionType | Export-Csv writes values a spreadsheet shows' {
        Get-IntercomSubscriptionType | Export-Csv types.csv -NoTypeInformation

        $text = Get-Content types.csv -Raw
        $text | Should -Not -Match 'System\.'
        (Import-Csv types.csv | Where-Object Id -eq '110').ContentTypes | Should -Be 'sms_message'
    }

    It 'Get -IncludeDefault | Export-Csv writes values a spreadsheet shows' {
        Get-IntercomContactSubscription -ContactId $Ada -IncludeDefault | Export-Csv effective.csv -NoTypeInformation

        Get-Content effective.csv -Raw | Should -Not -Match 'System\.'
    }
}

Describe 'The README''s copy of a contact''s choices from one workspace to another' {
    BeforeAll {
        # Two workspaces, each its own fake: A with the sample data; B whose 108-111 are other types,
        # with A's type names under other ids, and Ada under another id.
        $fakeA = Start-FakeIntercom -Token 'token-of-workspace-a'
        $fakeB = Start-FakeIntercom -Token 'token-of-workspace-b'
        Set-FakeChoice $fakeA $Ada 110 opt_in
        $null = Invoke-FakeControl $fakeB -Method POST -Path 'subscription_types' -Body @(
            @{ id = '108'; name = 'Partner offers'; consent_type = 'opt_in'; state = 'live'; content_types = @('email') }
            @{ id = '109'; name = 'Partner news'; consent_type = 'opt_out'; state = 'live'; content_types = @('email') }
            @{ id = '110'; name = 'Partner SMS'; consent_type = 'opt_in'; state = 'live'; content_types = @('sms_message') }
            @{ id = '208'; name = 'Newsletters'; consent_type = 'opt_in'; state = 'live'; content_types = @('email') }
            @{ id = '209'; name = 'Product updates'; consent_type = 'opt_out'; state = 'live'; content_types = @('email') }
            @{ id = '210'; name = 'SMS offers'; consent_type = 'opt_in'; state = 'live'; content_types = @('sms_message') }
        )
        Add-FakeContact $fakeB @(@{ id = $Ada; email = 'someone-else@example.com' }, @{ id = 'b-ada'; email = 'ada@example.com' })
        Set-FakeChoice $fakeB 'b-ada' 208 opt_in
    }
    AfterAll {
        Stop-FakeIntercom $fakeA
        Stop-FakeIntercom $fakeB
    }

    It 'copies by email and type name, and writes nothing to the workspace it reads' {
        $printed = Get-ReadmeCode -Containing 'Set-IntercomContactSubscription -Connection $b'
        # The one change to the printed code: its two connections are to the two fakes.
        $connects = @($printed -split "`n" | Where-Object { $_ -match '^\$[ab] = Connect-Intercom ' })
        $connects.Count | Should -Be 2
        $a = Connect-Intercom -BaseUri $fakeA.BaseUri -Token (Get-FakeToken $fakeA) -PassThru
        $b = Connect-Intercom -BaseUri $fakeB.BaseUri -Token (Get-FakeToken $fakeB) -PassThru
        Reset-FakeCall $fakeA
        $copy = $printed
        foreach ($line in $connects) { $copy = $copy.Replace($line, '') }
        # The block's first pipe copies between two contacts of the session's workspace: only the last one is run here.
        $copy = $copy.Substring($copy.IndexOf('Get-IntercomContactSubscription -Email ada@example.com -IncludeDefault -Connection $a'))

        $output = @(. ([scriptblock]::Create($copy + ' -Confirm:$false')))

        Get-FakeChoice $fakeB 'b-ada' -AsText | Should -Be '209=opt_out 210=opt_in'
        @($output | Where-Object Changed).Count | Should -Be 3
        # B's own 108-110 are other types: nothing of A's ids reached them.
        Get-FakeChoice $fakeB $Ada -AsText | Should -Be '109=opt_out'
        @(Get-FakeWrite $fakeB | Where-Object { $_.path -match '/subscriptions(/10[89]|/110)?$' -and $_.body -match '"id":"1(08|09|10)"' }).Count | Should -Be 0
        @(Get-FakeWrite $fakeA).Count | Should -Be 0
        Get-FakeChoice $fakeA $Ada -AsText | Should -Be '109=opt_out 110=opt_in'
    }
}
