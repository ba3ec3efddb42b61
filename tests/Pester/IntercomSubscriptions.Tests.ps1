#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The README's quick start, run for real in pwsh and in Windows PowerShell 5.1 against the runnable
    fake Intercom server (tests/FakeIntercom, the same server `dotnet run --project tests/FakeIntercom
    -- --port 5089` starts). Needs the solution built first:

        dotnet build IntercomSubscriptions.PS.sln -c Release
        Invoke-Pester tests/Pester

    $env:INTERCOM_MODULE_MANIFEST picks the manifest to import (default: the repository-root one; CI
    also runs the published layout, out/IntercomSubscriptions/IntercomSubscriptions.psd1).
    $env:FAKE_INTERCOM_PORT picks the port (default 5089).
#>

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:Port = if ($env:FAKE_INTERCOM_PORT) { [int]$env:FAKE_INTERCOM_PORT } else { 5089 }
    $script:BaseUri = "http://127.0.0.1:$script:Port/"
    $script:Ada = '63a07ddf05a32042dffac965'
    $script:Grace = '63a07ddf05a32042dffac966'
    $script:Manifest = if ($env:INTERCOM_MODULE_MANIFEST) { $env:INTERCOM_MODULE_MANIFEST } else { Join-Path $script:RepoRoot 'IntercomSubscriptions.psd1' }
    $script:WorkDir = Join-Path ([System.IO.Path]::GetTempPath()) ('intercom-pester-' + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $script:WorkDir | Out-Null

    # The fake server runs from its build output rather than through `dotnet run`, so that stopping the
    # one process we started stops the server (`dotnet run` would leave its child running).
    $fakeProject = Join-Path $script:RepoRoot 'tests/FakeIntercom'
    $fakeAssembly = Join-Path $fakeProject 'bin/Release/net10.0/FakeIntercom.dll'
    if (-not (Test-Path $fakeAssembly)) {
        & dotnet build $fakeProject -c Release | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "Building the fake Intercom server failed ($LASTEXITCODE)." }
    }
    $script:ServerLog = Join-Path $script:WorkDir 'fake-intercom.log'
    # Windows PowerShell joins -ArgumentList with spaces and no quoting: quote the path ourselves.
    $script:Server = Start-Process -FilePath 'dotnet' -ArgumentList @("`"$fakeAssembly`"", '--port', "$script:Port") `
        -RedirectStandardOutput $script:ServerLog -RedirectStandardError (Join-Path $script:WorkDir 'fake-intercom.err.log') `
        -NoNewWindow -PassThru

    # Ready when it says so (it prints its address once Kestrel is listening).
    $deadline = [DateTime]::UtcNow.AddMinutes(2)
    while (-not ((Test-Path $script:ServerLog) -and (Get-Content $script:ServerLog -Raw) -match 'Fake Intercom listening on')) {
        if ($script:Server.HasExited) { throw "The fake Intercom server exited with $($script:Server.ExitCode): $(Get-Content (Join-Path $script:WorkDir 'fake-intercom.err.log') -Raw)" }
        if ([DateTime]::UtcNow -gt $deadline) { throw 'The fake Intercom server did not start within two minutes.' }
        Start-Sleep -Milliseconds 200
    }

    Import-Module $script:Manifest -Force -ErrorAction Stop
    $script:Token = ConvertTo-SecureString 'fake-intercom-token' -AsPlainText -Force
}

AfterAll {
    Disconnect-Intercom -ErrorAction SilentlyContinue
    Remove-Module IntercomSubscriptions -ErrorAction SilentlyContinue
    if ($script:Server -and -not $script:Server.HasExited) {
        Stop-Process -Id $script:Server.Id -Force
        $script:Server.WaitForExit()
    }
    if ($script:WorkDir) { Remove-Item $script:WorkDir -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'IntercomSubscriptions quick start' {
    It 'imports with its eight cmdlets' {
        $names = @(Get-Command -Module IntercomSubscriptions | ForEach-Object Name | Sort-Object)
        $names | Should -Be @(
            'Add-IntercomContactSubscription', 'Connect-Intercom', 'Disconnect-Intercom', 'Get-IntercomConnection',
            'Get-IntercomContactSubscription', 'Get-IntercomSubscriptionType', 'Remove-IntercomContactSubscription',
            'Set-IntercomContactSubscription')
    }

    It 'Connect-Intercom connects and Get-IntercomConnection shows a masked token' {
        $connection = Connect-Intercom -BaseUri $script:BaseUri -Token $script:Token -PassThru
        $connection | Should -Not -BeNullOrEmpty
        $current = Get-IntercomConnection
        $current | Should -Not -BeNullOrEmpty
        $current.MaskedToken | Should -Not -Be 'fake-intercom-token'
        ($current | Out-String) | Should -Not -Match 'fake-intercom-token'
    }

    It 'Get-IntercomSubscriptionType lists the workspace''s subscription types' {
        $types = @(Get-IntercomSubscriptionType)
        $types.Id | Should -Contain '108'
        ($types | Where-Object Id -eq '108').Name | Should -Be 'Newsletters'
        ($types | Where-Object Id -eq '109').ConsentType | Should -Be 'opt_out'
        @(Get-IntercomSubscriptionType -Name 'news*').Id | Should -Be @('108')
    }

    It 'Import-Csv piped to Add-IntercomContactSubscription opts each row in' {
        $csv = Join-Path $script:WorkDir 'optins.csv'
        Set-Content -Path $csv -Encoding UTF8 -Value @(
            'contact_id,email,subscription_id,consent_type'
            "$script:Ada,ada@example.com,108,opt_in"
            "$script:Grace,grace@example.com,108,opt_in"
        )

        $results = @(Import-Csv $csv | Add-IntercomContactSubscription)

        $results.Count | Should -Be 2
        $results.ContactId | Should -Be @($script:Ada, $script:Grace)
        $results | ForEach-Object {
            $_.SubscriptionId | Should -Be '108'
            $_.Subscribed | Should -BeTrue
        }
        $results[0].PSObject.TypeNames[0] | Should -Be 'IntercomSubscriptions.ContactSubscription'
    }

    It 'Get-IntercomContactSubscription shows a contact''s explicit choices' {
        $choices = @(Get-IntercomContactSubscription -ContactId $script:Ada | Sort-Object SubscriptionId)
        $choices.SubscriptionId | Should -Be @('108', '109')
        $choices[0].Subscribed | Should -BeTrue
        $choices[1].Subscribed | Should -BeFalse
    }

    It 'Get | Remove -WhatIf changes nothing' {
        Get-IntercomContactSubscription -ContactId $script:Ada | Remove-IntercomContactSubscription -WhatIf
        @(Get-IntercomContactSubscription -ContactId $script:Ada).Count | Should -Be 2
    }

    It 'Get | Remove clears the choices' {
        Get-IntercomContactSubscription -ContactId $script:Ada | Remove-IntercomContactSubscription -Confirm:$false
        @(Get-IntercomContactSubscription -ContactId $script:Ada).Count | Should -Be 0
        # Grace's opt-in from the CSV is untouched.
        @(Get-IntercomContactSubscription -ContactId $script:Grace).SubscriptionId | Should -Contain '108'
    }

    It 'Set-IntercomContactSubscription changes once, then nothing' {
        $first = Set-IntercomContactSubscription -ContactId $script:Ada -SubscriptionId 110 -State Subscribed -Confirm:$false
        $first.Changed | Should -BeTrue
        $first.Action | Should -Be 'opt_in'
        $second = Set-IntercomContactSubscription -ContactId $script:Ada -SubscriptionId 110 -State Subscribed -Confirm:$false
        $second.Changed | Should -BeFalse
    }

    It 'Get-IntercomContactSubscription -All exports to CSV as it is' {
        $path = Join-Path $TestDrive 'audit.csv'
        Get-IntercomContactSubscription -All | Export-Csv -Path $path -NoTypeInformation
        $rows = @(Import-Csv -Path $path | Where-Object ContactId -eq $script:Ada)
        $rows.SubscriptionId | Should -Be @('110')
        $rows[0].Consent | Should -Be 'opt_in'
    }

    It 'Disconnect-Intercom forgets the connection' {
        Disconnect-Intercom
        { Get-IntercomConnection -ErrorAction Stop } | Should -Throw
        { Get-IntercomSubscriptionType -ErrorAction Stop } | Should -Throw
    }
}
