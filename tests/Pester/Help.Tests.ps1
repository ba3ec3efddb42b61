#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    Get-Help for every cmdlet, and every example of docs/en-US/*.md run as printed (prompts taken
    off, what the page shows as output compared with what the cmdlet prints) against a fake Intercom
    reset to the sample workspace before each, its state checked after; tab completion.
    How the suite runs and what runs where: tests/Pester/README.md.
#>

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $helpPages = @(Get-ChildItem (Join-Path (Get-RepositoryRoot) 'docs/en-US') -Filter '*-*.md' | Sort-Object Name)
    $examples = @($helpPages | ForEach-Object { Get-HelpPageExample $_.FullName })
    $cmdlets = @($helpPages | ForEach-Object { @{ Cmdlet = $_.BaseName; Path = $_.FullName } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-ModuleUnderTest
}

AfterAll {
    Remove-ModuleUnderTest
}

Describe 'Get-Help <Cmdlet>' -ForEach $cmdlets {
    BeforeAll {
        $help = Get-Help $Cmdlet -Full
        $pageExamples = @(Get-HelpPageExample $Path)
    }

    It 'has a synopsis and a description of its own' {
        "$($help.Synopsis)".Trim() | Should -Not -BeNullOrEmpty
        "$($help.Synopsis)".Trim() | Should -Not -BeLike "$Cmdlet *"   # PowerShell's made-up syntax when there is no help
        (@($help.description | ForEach-Object Text) -join '').Trim() | Should -Not -BeNullOrEmpty
    }

    It 'shows every example of its page, code as printed' {
        $shown = @($help.examples.example)
        $shown.Count | Should -Be $pageExamples.Count
        for ($i = 0; $i -lt $shown.Count; $i++) {
            $code = "$($shown[$i].code)"
            foreach ($line in $pageExamples[$i].Code -split "`n") { $code | Should -Match ([regex]::Escape($line)) }
        }
    }

    It 'documents every parameter the cmdlet has' {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $documented = @($help.parameters.parameter | Where-Object { (@($_.description | ForEach-Object Text) -join '').Trim() } | ForEach-Object name)
        # A hidden parameter (DontShow: the record as it came down the pipeline) needs no help.
        $parameters = @((Get-Command $Cmdlet).Parameters.Values | Where-Object {
                $common -notcontains $_.Name -and -not @($_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.DontShow }).Count
            } | ForEach-Object Name)
        @($parameters | Where-Object { $documented -notcontains $_ }) | Should -BeNullOrEmpty
    }
}

Describe 'Get-Help about_IntercomSubscriptions' {
    It 'answers with the topic' {
        $about = Get-Help about_IntercomSubscriptions | Out-String
        $about | Should -Match 'about_IntercomSubscriptions'
        $about | Should -Match 'Get-AutomationPSCredential -Name Intercom'
    }
}

Describe 'The help pages'' examples, run as printed' {
    BeforeAll {
        $fake = Open-FakeIntercomSession -Location $TestDrive

        # What the examples take for granted: tokens in variables, a secret store, Azure Automation, a prompt.
        $token = Get-FakeToken $fake
        $usToken = Get-FakeToken $fake
        $euToken = Get-FakeToken $fake
        function Get-Secret { param([string] $Name, [switch] $AsPlainText) $fake.Token }
        function Get-AutomationPSCredential { param([string] $Name) New-Object System.Management.Automation.PSCredential ('not-used', (Get-FakeToken $fake)) }
        Mock Read-Host { Get-FakeToken $fake } -ParameterFilter { $AsSecureString }
        $savedEnvironmentToken = $env:INTERCOM_ACCESS_TOKEN

        # The files they name: contacts by id, unsubscribes by email, wishes by email and type name.
        function New-ExampleFiles {
            New-TextFile (Join-Path $TestDrive contacts.csv) -Line 'contact_id', $Ada, $Grace | Out-Null
            New-TextFile (Join-Path $TestDrive big.csv) -Line 'contact_id', $Ada, $Grace | Out-Null
            New-TextFile (Join-Path $TestDrive unsubscribes.csv) -Line 'email', 'grace@example.com', 'nobody@example.com' | Out-Null
            New-TextFile (Join-Path $TestDrive wishes.csv) -Line 'email,subscription_name,state', 'grace@example.com,Product updates,Unsubscribed', 'ada@example.com,Newsletters,Subscribed' | Out-Null
        }

        function Get-TableHeader {
            param([string[]] $Lines)
            for ($i = 1; $i -lt $Lines.Count; $i++) {
                if ($Lines[$i] -match '^\s*-{2,}(\s+-{2,})*\s*$') { return @($Lines[$i - 1].Trim() -split '\s+') }
            }
        }
        function Get-ListName {
            param([string[]] $Lines)
            # An empty value leaves the line with no space after the colon.
            @($Lines | Where-Object { $_ -match '^(\w+)\s+:( |$)' } | ForEach-Object { $Matches[1] })
        }
        function Compress-Space { param([string] $Text) ($Text -replace '\s+', ' ').Trim() }

        # What each example must have done on the fake, beyond running without an error; and what
        # it needs there first. Keyed '<cmdlet> <number>'.
        $expected = @{
            'Add-IntercomContactSubscription 1'    = @{ Check = { Get-FakeChoice $fake $Ada -AsText | Should -Be '108=opt_in 109=opt_out'; Get-FakeChoice $fake $Grace -AsText | Should -Be '108=opt_in' } }
            'Add-IntercomContactSubscription 2'    = @{ Errors = 1; Check = {
                    Get-FakeChoice $fake $Grace -AsText | Should -Be '109=opt_out'
                    @($output | Where-Object { $_.email -eq 'nobody@example.com' }).Count | Should -Be 1 } }
            'Add-IntercomContactSubscription 3'    = @{ Check = { @(Get-FakeWrite $fake).Count | Should -Be 0 } }
            'Add-IntercomContactSubscription 4'    = @{ Check = { Get-FakeChoice $fake $Ada -AsText | Should -Be '109=opt_out 110=opt_in' } }
            'Add-IntercomContactSubscription 5'    = @{ Check = { Get-FakeChoice $fake $Grace -AsText | Should -Be '108=opt_in' } }
            'Add-IntercomContactSubscription 6'    = @{ Check = { "$($output[0].Status)" | Should -Be 'Completed'; $output[0].Succeeded | Should -Be 2; Get-FakeChoice $fake $Grace -AsText | Should -Be '108=opt_in' } }
            'Add-IntercomContactSubscription 7'    = @{ Check = {
                    Get-FakeChoice $fake $Grace -AsText | Should -Be '108=opt_in'
                    @(Import-Csv failed-1.csv).Count | Should -Be 0
                    Test-Path failed-2.csv | Should -BeFalse } }
            'Add-IntercomContactSubscription 8'    = @{ Check = {
                    "$($output[0].Status)" | Should -Be 'Completed'; $output[0].Succeeded | Should -Be 2; $output[0].JournalPath | Should -Be (Join-Path $TestDrive optin.jsonl)
                    @(Get-IntercomJournal optin.jsonl | Where-Object Outcome -eq 'Applied').Count | Should -BeGreaterOrEqual 2 } }
            'Connect-Intercom 1'                   = @{ Check = { Should -Invoke Read-Host -Times 1 -Exactly; (Get-IntercomConnection).BaseUri | Should -Be $fake.BaseUri } }
            'Connect-Intercom 2'                   = @{ Check = { (Get-IntercomConnection).BaseUri | Should -Be $fake.BaseUri } }
            'Connect-Intercom 3'                   = @{ Check = { (Get-IntercomConnection).IsOpen | Should -BeTrue } }
            'Connect-Intercom 4'                   = @{ Check = {
                    $us.IsOpen, $eu.IsOpen | Should -Be $true, $true
                    [object]::ReferenceEquals($us, $eu) | Should -BeFalse
                    @($output | Where-Object { $_.Id -eq '108' }).Count | Should -Be 2 } }
            'Connect-Intercom 5'                   = @{ Check = { (Get-FakeCall $fake).Requests[-1].intercomVersion | Should -Be 'Preview' } }
            'Connect-Intercom 6'                   = @{ Check = {
                    (Get-IntercomConnection).JournalPath | Should -Be (Join-Path $TestDrive intercom-journal.jsonl)
                    @(Get-IntercomJournal intercom-journal.jsonl | ForEach-Object ContactId | Sort-Object) | Should -Be $Ada, $Grace } }
            'Connect-Intercom 7'                   = @{ Check = { (Get-IntercomConnection).RateLimitShare | Should -Be 0.5; Get-FakeChoice $fake $Grace -AsText | Should -Be '108=opt_in' } }
            'Disconnect-Intercom 1'                = @{ Check = {
                    Get-FakeChoice $fake $Grace -AsText | Should -Be '108=opt_in'
                    { Get-IntercomConnection -ErrorAction Stop } | Should -Throw } }
            'Disconnect-Intercom 2'                = @{ Check = { $eu.IsOpen | Should -BeFalse; $us.IsOpen | Should -BeTrue; [object]::ReferenceEquals((Get-IntercomConnection), $us) | Should -BeTrue } }
            # -ErrorAction SilentlyContinue hides the "not connected" error but still records it in $Error.
            'Get-IntercomConnection 2'             = @{ Connected = $false; Errors = 1; Check = { (Get-IntercomConnection).BaseUri | Should -Be $fake.BaseUri } }
            'Get-IntercomContactSubscription 3'    = @{ Check = { (Import-Csv choices.csv | ForEach-Object { "$($_.ContactId) $($_.SubscriptionId)" }) | Should -Be "$Ada 109" } }
            'Get-IntercomContactSubscription 4'    = @{ Setup = { Set-FakeChoice $fake $Grace 108 opt_in }; Check = { $output.ContactId | Should -Be $Grace } }
            'Get-IntercomContactSubscription 5'    = @{ Check = { @(Get-FakeWrite $fake).Count | Should -Be 0 } }
            'Get-IntercomContactSubscription 6'    = @{ Setup = { Set-FakeChoice $fake $Ada 108 opt_in; $null = Invoke-FakeControl $fake -Method PATCH -Path "contacts/$Ada" -Body @{ unsubscribed_from_emails = $true } } }
            'Get-IntercomContactSubscription 7'    = @{ Setup = { Set-FakeChoice $fake $Grace 108 opt_in }; Check = {
                    $rows = @(Import-Csv newsletter-choices.csv)
                    $rows.ContactId | Should -Be $Grace
                    $rows[0].PSObject.Properties.Name -join ', ' | Should -Be 'ContactId, Email, ExternalId, SubscriptionId, Name, ConsentType, Consent, Subscribed, UnsubscribedFromEmails' } }
            'Get-IntercomContactSubscription 8'    = @{ Check = { (Import-Csv all-choices.csv).ContactId | Should -Be $Ada; $transcript | Should -Match 'VERBOSE: Read 4 contacts' } }
            'Get-IntercomJournal 1'                = @{ Check = {
                    $entries = @(Get-IntercomJournal run.jsonl)
                    @($entries | ForEach-Object { "$($_.ContactId) $($_.Outcome)" } | Sort-Object) | Should -Be "$Ada Applied", "$Grace Applied"
                    @($entries.RequestId | Where-Object { $_ }).Count | Should -Be 2 } }
            'Get-IntercomJournal 2'                = @{ Check = {
                    # The run changed both; the undo put both back: the sample workspace again.
                    Get-FakeChoice $fake $Ada -AsText | Should -Be '109=opt_out'
                    Get-FakeChoice $fake $Grace -AsText | Should -Be ''
                    @(Get-IntercomJournal wishes.jsonl -Undo | Where-Object { -not $_.Exact }).Count | Should -Be 0
                    $transcript | Should -Match 'What if: 2 of 2 contact subscriptions would change' } }
            'Get-IntercomJournal 3'                = @{ Check = { Get-FakeChoice $fake $Grace -AsText | Should -Be '108=opt_in'; @($output).Count | Should -Be 0 } }
            'Get-IntercomJournal 4'                = @{ Check = {
                    Get-FakeChoice $fake $Ada -AsText | Should -Be '109=opt_out'
                    Get-FakeChoice $fake $Grace -AsText | Should -Be '' } }
            'Get-IntercomSubscriptionType 2'       = @{ Check = { $output.Id | Should -Be '108' } }
            'Get-IntercomSubscriptionType 3'       = @{ Check = { Get-FakeChoice $fake $Ada -AsText | Should -Be '109=opt_out 110=opt_in' } }
            'Get-IntercomSubscriptionType 4'       = @{ Check = { Get-FakeChoice $fake $Grace -AsText | Should -Be '108=opt_in' } }
            'Remove-IntercomContactSubscription 1' = @{ Check = { Get-FakeChoice $fake $Ada -AsText | Should -Be '' } }
            'Remove-IntercomContactSubscription 2' = @{ Setup = { Set-FakeChoice $fake $Ada 108 opt_in; Set-FakeChoice $fake $Grace 108 opt_in }; Check = { Get-FakeChoice $fake $Ada -AsText | Should -Be '109=opt_out'; Get-FakeChoice $fake $Grace -AsText | Should -Be '' } }
            'Remove-IntercomContactSubscription 3' = @{ Setup = { Set-FakeChoice $fake $Grace 108 opt_in }; Check = { Get-FakeChoice $fake $Grace -AsText | Should -Be ''; @(Get-FakeWrite $fake).Count | Should -Be 1 } }
            'Remove-IntercomContactSubscription 4' = @{ Setup = { Set-FakeChoice $fake $Grace 108 opt_in }; Check = { Get-FakeChoice $fake $Grace -AsText | Should -Be '' } }
            'Remove-IntercomContactSubscription 5' = @{ Setup = { Set-FakeChoice $fake $Grace 108 opt_in }; Check = { "$($output[0].Status)" | Should -Be 'Completed'; Get-FakeChoice $fake $Grace -AsText | Should -Be '' } }
            'Set-IntercomContactSubscription 1'    = @{ Check = { Get-FakeChoice $fake $Grace -AsText | Should -Be '109=opt_out' } }
            'Set-IntercomContactSubscription 2'    = @{ Check = {
                    Get-FakeChoice $fake $Grace -AsText | Should -Be '109=opt_out'
                    Get-FakeChoice $fake $Ada -AsText | Should -Be '108=opt_in 109=opt_out'
                    (Import-Csv applied.csv).Changed | Should -Be 'True', 'True'
                    $transcript | Should -Match 'What if: 2 of 2 contact subscriptions would change' } }
            'Set-IntercomContactSubscription 3'    = @{ Setup = { Set-FakeChoice $fake $Grace 108 opt_in }; Check = { Get-FakeChoice $fake $Grace -AsText | Should -Be '' } }
            'Set-IntercomContactSubscription 4'    = @{ Check = { Get-FakeChoice $fake $Ada -AsText | Should -Be '108=opt_in 109=opt_out' } }
            'Set-IntercomContactSubscription 5'    = @{ Setup = { New-TextFile (Join-Path $TestDrive wishes.csv) -Line 'email,state', 'ada@example.com,Subscribed', 'grace@example.com,Subscribed' | Out-Null }
                Check = { Get-FakeChoice $fake $Ada -AsText | Should -Be '108=opt_in 109=opt_out'; Get-FakeChoice $fake $Grace -AsText | Should -Be '108=opt_in' } }
            'Set-IntercomContactSubscription 6'    = @{ Setup = { Set-FakeChoice $fake $Ada 110 opt_in }; Check = { Get-FakeChoice $fake $Grace -AsText | Should -Be '109=opt_out 110=opt_in' } }
            # Both connections reach the one fake here: Ada's choices, matched by email and type name, are already hers.
            'Set-IntercomContactSubscription 7'    = @{ Check = {
                    [object]::ReferenceEquals($a, $b) | Should -BeFalse
                    $output.Count | Should -Be 3
                    @($output | Where-Object Changed).Count | Should -Be 0
                    @(Get-FakeWrite $fake).Count | Should -Be 0 } }
        }
    }
    AfterAll {
        $env:INTERCOM_ACCESS_TOKEN = $savedEnvironmentToken
        Close-FakeIntercomSession $fake
    }

    It '<Cmdlet> example <Number>: <Title>' -ForEach $examples {
        $key = "$Cmdlet $Number"
        $expect = if ($expected.ContainsKey($key)) { $expected[$key] } else { @{} }
        Reset-FakeIntercom $fake
        New-ExampleFiles
        Disconnect-Intercom -ErrorAction SilentlyContinue
        $env:INTERCOM_ACCESS_TOKEN = $fake.Token
        if ($expect.Connected -ne $false -and $Cmdlet -notin 'Connect-Intercom', 'Disconnect-Intercom') { Connect-Intercom -Token $token }
        if ($expect.Setup) { . $expect.Setup }
        Reset-FakeCall $fake
        $Error.Clear()

        # Run here (not in a function) so the variables it sets ($us, $eu, $run…) are there to check.
        $transcriptPath = Join-Path $TestDrive 'example.txt'
        $null = Start-Transcript -LiteralPath $transcriptPath -Force
        try { $output = @(. ([scriptblock]::Create($Code))) }
        finally { $null = Stop-Transcript }

        $transcript = [System.IO.File]::ReadAllText($transcriptPath)
        $errorCount = if ($expect.Errors) { $expect.Errors } else { 0 }
        @($Error).Count | Should -Be $errorCount -Because "the example wrote: $(@($Error) -join ' | ')"
        # What the page shows it printing is what it prints: the same columns or properties, the same rows.
        $shown = @($Printed | Where-Object { $_ -and $_ -notlike 'What if:*' })
        if ($shown) {
            $real = @(($output | Out-String -Width 300) -split "`r?`n")
            $header = Get-TableHeader $shown
            if ($header) {
                Get-TableHeader $real | Should -Be $header
                $realRows = @($real | ForEach-Object { Compress-Space $_ })
                foreach ($row in $shown | Select-Object -Skip 2) { $realRows | Should -Contain (Compress-Space $row) }
            }
            else { Get-ListName $real | Should -Be (Get-ListName $shown) }
        }
        foreach ($line in @($Printed | Where-Object { $_ -like 'What if:*' })) { $transcript | Should -Match ([regex]::Escape($line)) }
        if ($expect.Check) { . $expect.Check }
    }
}

Describe 'Tab completion (TabExpansion2)' {
    BeforeAll {
        $fake = Open-FakeIntercomSession -Connect

        function Get-Completion {
            param([string] $Line)
            @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches)
        }
    }
    AfterAll {
        Close-FakeIntercomSession $fake
    }

    It 'offers the workspace''s type names, quoted where they have spaces (<Line>)' -ForEach @(
        @{ Line = 'Add-IntercomContactSubscription -SubscriptionName ' }
        @{ Line = 'Remove-IntercomContactSubscription -SubscriptionName ' }
        @{ Line = 'Set-IntercomContactSubscription -SubscriptionName ' }
        @{ Line = 'Get-IntercomSubscriptionType -Name ' }
        @{ Line = 'Get-IntercomSubscriptionType ' }
    ) {
        (Get-Completion $Line).CompletionText | Should -Be 'Newsletters', "'Product updates'", "'SMS offers'", "'Old digest'"
    }

    It 'narrows the names to what is typed' {
        (Get-Completion 'Get-IntercomContactSubscription -SubscriptionName Pro').CompletionText | Should -Be "'Product updates'"
    }

    It 'offers the type ids with their names as tooltips (<Line>)' -ForEach @(
        @{ Line = 'Add-IntercomContactSubscription -SubscriptionId ' }
        @{ Line = 'Get-IntercomSubscriptionType -Id ' }
    ) {
        $completions = Get-Completion $Line
        $completions.CompletionText | Should -Be '108', '109', '110', '111'
        $completions[1].ToolTip | Should -Match 'Product updates'
    }

    It 'offers the values of -<Parameter>' -ForEach @(
        @{ Parameter = 'State'; Line = 'Set-IntercomContactSubscription -State '; Values = 'Default', 'Subscribed', 'Unsubscribed' }
        @{ Parameter = 'Consent'; Line = 'Add-IntercomContactSubscription -Consent '; Values = 'opt_in', 'opt_out' }
        @{ Parameter = 'Region'; Line = 'Connect-Intercom -Region '; Values = 'AU', 'EU', 'US' }
    ) {
        (Get-Completion $Line).CompletionText | Sort-Object | Should -Be $Values
    }

    It 'offers the API versions, Preview included' {
        $versions = (Get-Completion 'Connect-Intercom -ApiVersion ').CompletionText
        $versions | Should -Contain '2.14'
        $versions | Should -Contain 'Preview'
    }

    It 'asks the workspace once for the names, not at every Tab' {
        Reset-FakeCall $fake
        1..3 | ForEach-Object { $null = Get-Completion 'Add-IntercomContactSubscription -SubscriptionName ' }
        Get-FakeCallCount $fake 'GET /subscription_types' | Should -BeLessOrEqual 1
    }
}

Describe 'about_IntercomSubscriptions: every command line of its code names parameters the cmdlets have' {
    BeforeAll {
        $exported = @((Get-Module IntercomSubscriptions | Select-Object -First 1).ExportedCmdlets.Keys)
        $lines = Get-Content (Join-Path (Get-RepositoryRoot) 'docs/en-US/about_IntercomSubscriptions.help.txt')
        # The topic's code is indented eight spaces (its continuation lines more); a cmdlet table's rows
        # (a name, three or more spaces, then words) are not code.
        $blocks = [System.Collections.Generic.List[string]]::new()
        $current = [System.Collections.Generic.List[string]]::new()
        foreach ($line in $lines + '') {
            if ($line -match '^ {8}\S' -or ($current.Count -gt 0 -and $line -match '^ {9,}\S')) { $current.Add($line); continue }
            if ($current.Count -gt 0) { $blocks.Add(($current -join "`n")); $current.Clear() }
        }
        $code = @($blocks | Where-Object { $_ -match '\b\w+-Intercom\w*\b' -and $_ -notmatch '(?m)^ {8}\S+-Intercom\S*\s{3,}\w' })
    }

    It 'has code that uses the module' {
        # The topic shows Connect-Intercom, the bulk cmdlets, the journal's lines and the runbook.
        $code.Count | Should -BeGreaterThan 10
    }

    It 'parses, and names only parameters (or their aliases) the cmdlets it calls have' {
        $problems = foreach ($block in $code) {
            $tokens = $null; $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($block, [ref]$tokens, [ref]$errors)
            if ($errors) { "does not parse: $($errors[0].Message)`n$block"; continue }
            foreach ($command in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)) {
                $name = $command.GetCommandName()
                if ($name -notin $exported) { continue }
                $parameters = (Get-Command $name).Parameters.Values
                foreach ($given in $command.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                    $known = @($parameters | Where-Object { $_.Name -like "$($given.ParameterName)*" -or @($_.Aliases) -contains $given.ParameterName })
                    if ($known.Count -eq 0) { "$name has no parameter -$($given.ParameterName): $($command.Extent.Text)" }
                }
            }
        }
        $problems | Should -BeNullOrEmpty
    }
}
