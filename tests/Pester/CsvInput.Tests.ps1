#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    `Import-Csv file | Add-…` and `Get-Content emails.txt | Get-…` on files written byte for byte as
    real tools write them (Excel, Mailchimp, a CRM export), checked on the fake's state and request log.
    How the suite runs and what runs where: tests/Pester/README.md.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-ModuleUnderTest

    # Contacts whose emails a spreadsheet can mangle, beside the sample workspace.
    function Add-TestContacts {
        param($Fake)
        Add-FakeContact $Fake @(
            @{ id = 'c-zoe'; email = 'zoë.brontë@example.com' }
            @{ id = 'c-jose'; email = 'josé.garcía@example.com'; external_id = 'crm-0042' }
            @{ id = 'c-sean'; email = "sean.o'connor@example.com" }
            @{ id = 'c-chen'; email = 'chen.wei@example.com'; external_id = 'crm-0043' }
        )
    }
}

AfterAll {
    Remove-ModuleUnderTest
}

Describe 'CSV files as real tools write them, piped into Add-IntercomContactSubscription' {
    BeforeAll {
        $fake = Open-FakeIntercomSession -Connect -Location $TestDrive
    }
    AfterAll {
        Close-FakeIntercomSession $fake
    }
    BeforeEach {
        Reset-FakeIntercom $fake
        Add-TestContacts $fake
    }

    It 'reads Excel''s "CSV UTF-8" (byte-order mark, CRLF, accents) as it is' {
        New-TextFile contacts.csv -Encoding utf8BOM -LineEnding CRLF -Line @(
            'Email,First Name,Last Name'
            'zoë.brontë@example.com,Zoë,Brontë'
            'josé.garcía@example.com,José,García'
            'ada@example.com,Ada,Lovelace'
        )

        $added = @(Import-Csv contacts.csv | Add-IntercomContactSubscription -SubscriptionId 108 -Consent opt_in)

        $added.Email | Should -Be 'zoë.brontë@example.com', 'josé.garcía@example.com', 'ada@example.com'
        $added.ContactId | Should -Be 'c-zoe', 'c-jose', $Ada
        foreach ($id in 'c-zoe', 'c-jose', $Ada) { (Get-FakeChoice $fake $id)['108'] | Should -Be 'opt_in' }
        # Looked up by email in one search (a batch), then one write each.
        (Get-FakeCall $fake -CountsOnly).Counts['POST /contacts/search'] | Should -Be 1
        Get-FakeCallCount $fake 'POST /contacts/{id}/subscriptions' | Should -Be 3
    }

    It 'reads Excel''s semicolon CSV in the Windows code page with -Delimiter '';'' -Encoding ansi' -Skip:($PSVersionTable.PSVersion -lt [version]'7.4') {
        # What Excel saves as "CSV (semicolon)" where the decimal separator is a comma (de-DE, fr-FR…).
        New-TextFile kontakte.csv -Encoding windows-1252 -LineEnding CRLF -Line @(
            'Contact ID;E-Mail;Subscription Name;Notiz'
            ";zoë.brontë@example.com;Newsletters;Messe 2024; Stand 3"
            "$Grace;;Newsletters;Rabatt 12,5 %"
        )

        $added = @(Import-Csv kontakte.csv -Delimiter ';' -Encoding ansi | Add-IntercomContactSubscription)

        $added.ContactId | Should -Be 'c-zoe', $Grace
        (Get-FakeChoice $fake 'c-zoe')['108'] | Should -Be 'opt_in'
        (Get-FakeChoice $fake $Grace)['108'] | Should -Be 'opt_in'
    }

    # Windows PowerShell 5.1 reads the Windows code page by default: there the same line just works.
    It 'read without its encoding, an accented email fails by name and the other rows go through' -Skip:($PSVersionTable.PSEdition -eq 'Desktop') {
        New-TextFile kontakte.csv -Encoding windows-1252 -LineEnding CRLF -Line @(
            'E-Mail;Subscription Name'
            'zoë.brontë@example.com;Newsletters'
            'chen.wei@example.com;Newsletters'
        )

        $added = @(Import-Csv kontakte.csv -Delimiter ';' | Add-IntercomContactSubscription -ErrorVariable failed -ErrorAction SilentlyContinue)

        $added.ContactId | Should -Be 'c-chen'
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'IntercomContactNotFound,*'
        "$($failed[0])" | Should -Match 'zo.+bront.+@example\.com'
        (Get-FakeChoice $fake 'c-zoe').Count | Should -Be 0
    }

    It 'reads a Mailchimp audience export by its "Email Address" column, quoted commas and all' {
        New-TextFile members.csv -LineEnding CRLF -Line @(
            '"Email Address","First Name","Last Name","Address","Phone Number","MEMBER_RATING","OPTIN_TIME","OPTIN_IP","CONFIRM_TIME","CONFIRM_IP","LATITUDE","LONGITUDE","GMTOFF","DSTOFF","TIMEZONE","CC","REGION","LAST_CHANGED","LEID","EUID","NOTES","TAGS"'
            '"sean.o''connor@example.com","Sean","O''Connor","1 Main St, Springfield, IL 62701","","2","2023-02-11 09:12:03","","2023-02-11 09:13:44","203.0.113.9","","","","","","US","IL","2024-01-05 10:00:00","123456789","a1b2c3d4e5","",""'
            '"Grace@Example.com","Grace","Hopper","","+1 555 0100","5","2022-11-30 16:40:00","","2022-11-30 16:41:12","198.51.100.4","","","","","","US","VA","2024-01-05 10:00:00","123456790","f6a7b8c9d0","VIP, ""founding"" member","customers,beta"'
        )

        $added = @(Import-Csv members.csv | Add-IntercomContactSubscription -SubscriptionName Newsletters)

        $added.ContactId | Should -Be 'c-sean', $Grace
        $added.Email | Should -Be "sean.o'connor@example.com", 'Grace@Example.com'
        (Get-FakeChoice $fake 'c-sean')['108'] | Should -Be 'opt_in'
        (Get-FakeChoice $fake $Grace)['108'] | Should -Be 'opt_in'
    }

    It 'reads a CRM export: its Intercom ID where the sync filled it, else its Email; quoted line breaks, CRLF, blank lines at the end' {
        New-TextFile crm-export.csv -LineEnding CRLF -Line @(
            '"Record ID","First Name","Last Name","Email","Intercom ID","Lifecycle Stage","Create Date","Notes"'
            '"901","Ada","Lovelace","ada@example.com","63a07ddf05a32042dffac965","customer","2023-04-01 10:00","Prefers email, not phone"'
            '"902","José","García","josé.garcía@example.com","","lead","2023-05-02 11:30","Met at the fair.' + "`r`n" + 'Follow up in May, ""urgent""."'
            '"903","Wei","Chen","chen.wei@example.com","","subscriber","2023-06-03 12:45",""'
            ''
            ''
        )

        $added = @(Import-Csv crm-export.csv | Add-IntercomContactSubscription -SubscriptionId 110 -Consent opt_in)

        $added.ContactId | Should -Be $Ada, 'c-jose', 'c-chen'
        foreach ($id in $Ada, 'c-jose', 'c-chen') { (Get-FakeChoice $fake $id)['110'] | Should -Be 'opt_in' }
        # "Record ID" named nothing: no type 901 asked for, no contact 901 looked up.
        (Get-FakeWrite $fake).path | Should -Not -Match '901'
        @((Get-FakeCall $fake).Requests | Where-Object { $_.body -match '90[123]' }).Count | Should -Be 0
    }

    It 'runs the README''s sample CSV as printed' {
        $sample = @(Get-MarkdownCodeBlock (Join-Path (Get-RepositoryRoot) 'README.md') | Where-Object Language -eq 'csv')
        $sample.Count | Should -Be 1
        New-TextFile readme-sample.csv -Line ($sample[0].Code -split "`n")

        $added = @(Import-Csv readme-sample.csv | Add-IntercomContactSubscription)

        ($added | ForEach-Object { "$($_.ContactId) $($_.SubscriptionId)" }) | Should -Be "$Ada 108", "$Grace 110"
        (Get-FakeChoice $fake $Ada)['108'] | Should -Be 'opt_in'
        (Get-FakeChoice $fake $Grace)['110'] | Should -Be 'opt_in'
    }

    It 'takes the contact from the <Header> column' -ForEach @(
        @{ Header = 'contact_id'; Value = '63a07ddf05a32042dffac966' }
        @{ Header = 'ContactId'; Value = '63a07ddf05a32042dffac966' }
        @{ Header = 'intercom_id'; Value = '63a07ddf05a32042dffac966' }
        @{ Header = 'Contact ID'; Value = '63a07ddf05a32042dffac966' }
        @{ Header = 'email'; Value = 'grace@example.com' }
        @{ Header = 'E-mail'; Value = 'GRACE@example.com' }
        @{ Header = 'email_address'; Value = 'grace@example.com' }
        @{ Header = 'EmailAddress'; Value = 'grace@example.com' }
        @{ Header = 'external_id'; Value = 'u-1002' }
        @{ Header = 'user_id'; Value = 'u-1002' }
        @{ Header = 'External ID'; Value = 'u-1002' }
    ) {
        New-TextFile column.csv -Line "`"$Header`",subscription_id", "$Value,110"

        $added = @(Import-Csv column.csv | Add-IntercomContactSubscription)

        $added.ContactId | Should -Be $Grace
        Get-FakeChoice $fake $Grace -AsText | Should -Be '110=opt_in'
    }

    It 'takes the subscription type and consent from the columns <Header>' -ForEach @(
        @{ Header = 'subscription_id,consent_type'; Row = '109,opt_out' }
        @{ Header = 'Subscription ID,Consent'; Row = '109,opt_out' }
        @{ Header = 'subscription_type_id,ConsentType'; Row = '109,' }
        @{ Header = 'SubscriptionTypeId'; Row = '109' }
        @{ Header = 'subscription_name'; Row = 'product updates' }
        @{ Header = 'Subscription Name,consent'; Row = 'Product updates,opt_out' }
    ) {
        New-TextFile column.csv -Line "email,$Header", "grace@example.com,$Row"

        $added = @(Import-Csv column.csv | Add-IntercomContactSubscription)

        $added.SubscriptionId | Should -Be '109'
        Get-FakeChoice $fake $Grace -AsText | Should -Be '109=opt_out'
    }

    It 'fails a row whose cells are all empty (an Excel leftover) by itself, naming its columns' {
        New-TextFile contacts.csv -LineEnding CRLF -Line 'contact_id,email', "$Ada,", ',', "$Grace,"

        $added = @(Import-Csv contacts.csv | Add-IntercomContactSubscription -SubscriptionId 110 -ErrorVariable failed -ErrorAction SilentlyContinue)

        $added.ContactId | Should -Be $Ada, $Grace
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'IntercomContactColumnMissing,*'
        "$($failed[0])" | Should -Match 'contact_id, email'
    }

    It 'fails a row whose <Column> is <Value> by itself: counted, kept in the failed-records file to be fixed and re-run' -ForEach @(
        @{ Column = 'contact_id'; Value = '../x'; Says = "contact id '../x'" }
        @{ Column = 'subscription_id'; Value = 'abc'; Says = "subscription type id 'abc'" }
        @{ Column = 'consent_type'; Value = 'maybe'; Says = "consent 'maybe'" }
    ) {
        $bad = [ordered]@{ contact_id = 'c-chen'; subscription_id = '108'; consent_type = 'opt_in' }
        $bad[$Column] = $Value
        New-TextFile rows.csv -LineEnding CRLF -Line @(
            'contact_id,subscription_id,consent_type'
            "$Ada,108,opt_in"
            'c-zoe,108,opt_in'
            $bad.Values -join ','
            "$Grace,108,opt_in"
        )

        $run = Import-Csv rows.csv | Add-IntercomContactSubscription -Summary -FailedRecordsPath failed.csv -ErrorVariable failed -ErrorAction SilentlyContinue

        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'IntercomInvalidArgument,*'
        "$($failed[0])" | Should -Match ([regex]::Escape($Says))
        $run.Received, $run.Succeeded, $run.Failed, $run.Handled | Should -Be 4, 3, 1, 4
        foreach ($id in $Ada, 'c-zoe', $Grace) { (Get-FakeChoice $fake $id)['108'] | Should -Be 'opt_in' }
        $kept = @(Import-Csv $run.FailedRecordsPath)
        $kept.Count | Should -Be 1
        $kept[0].$Column | Should -Be $Value
        $kept[0].IntercomErrorId | Should -Be 'IntercomInvalidArgument'

        # The row as the user fixes it in the file, and the file re-run.
        $kept[0].$Column = @{ contact_id = 'c-chen'; subscription_id = '108'; consent_type = 'opt_in' }[$Column]
        $kept | Export-Csv fixed.csv
        $rerun = Import-Csv fixed.csv | Add-IntercomContactSubscription -Summary

        $rerun.Succeeded, $rerun.Failed | Should -Be 1, 0
        (Get-FakeChoice $fake 'c-chen')['108'] | Should -Be 'opt_in'
    }

    It 'takes a hashtable row like a CSV row' {
        $code = "@{ contact_id = '$Grace' } | Add-IntercomContactSubscription -SubscriptionId 110"

        $added = @(Invoke-Expression $code)

        $added.ContactId | Should -Be $Grace
        Get-FakeChoice $fake $Grace -AsText | Should -Be '110=opt_in'
    }
}

Describe 'Get-Content emails.txt | Get-IntercomContactSubscription' {
    BeforeAll {
        $fake = Open-FakeIntercomSession -Connect -Location $TestDrive
        Add-TestContacts $fake
        Set-FakeChoice $fake 'c-zoe' 108 opt_in
    }
    AfterAll {
        Close-FakeIntercomSession $fake
    }

    It 'reads each line as an email, or as a contact id when it is not one (UTF-8, CRLF)' {
        New-TextFile emails.txt -LineEnding CRLF -Line 'zoë.brontë@example.com', ' Ada@Example.com ', $Grace

        $choices = @(Get-Content emails.txt | Get-IntercomContactSubscription)

        ($choices | ForEach-Object { "$($_.ContactId) $($_.SubscriptionId) $($_.Email)" }) |
            Should -Be 'c-zoe 108 zoë.brontë@example.com', "$Ada 109 Ada@Example.com"
        Get-FakeCallCount $fake 'GET /contacts/{id}/subscriptions' | Should -Be 3
    }

    It 'fails a blank line by itself, saying it is empty, and reads the others' {
        New-TextFile emails.txt -LineEnding CRLF -Line 'ada@example.com', '', 'chen.wei@example.com'

        $choices = @(Get-Content emails.txt | Get-IntercomContactSubscription -ErrorVariable failed -ErrorAction SilentlyContinue)

        $choices.ContactId | Should -Be $Ada
        $failed.Count | Should -Be 1
        "$($failed[0])" | Should -Match 'empty'
    }
}
