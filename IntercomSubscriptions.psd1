#
# Module manifest for IntercomSubscriptions.
# This copy, at the repository root, imports the build output in out/IntercomSubscriptions/; the
# build writes a copy beside the assemblies with those paths made relative (what gets published).
#
@{
    RootModule             = 'out/IntercomSubscriptions/IntercomSubscriptions.dll'
    ModuleVersion          = '0.1.0'
    GUID                   = '3f0d8c52-6a1e-4c3b-9d61-5b7e2a4f9c10'
    Author                 = 'IntercomSubscriptions contributors'
    CompanyName            = 'IntercomSubscriptions contributors'
    Copyright              = '(c) IntercomSubscriptions contributors. MIT License.'
    Description            = 'Read and change Intercom contacts'' subscription consent (opt-in and opt-out) from PowerShell: one contact or a hundred thousand, paced by Intercom''s rate limits, with -WhatIf, pipeline input from CSV and typed output.'
    CompatiblePSEditions   = @('Desktop', 'Core')
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess       = @('out/IntercomSubscriptions/IntercomSubscriptions.format.ps1xml')
    CmdletsToExport        = @(
        'Connect-Intercom'
        'Disconnect-Intercom'
        'Get-IntercomConnection'
        'Get-IntercomSubscriptionType'
        'Get-IntercomContactSubscription'
        'Add-IntercomContactSubscription'
        'Remove-IntercomContactSubscription'
        'Set-IntercomContactSubscription'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('Intercom', 'Subscriptions', 'Consent', 'OptIn', 'OptOut', 'GDPR', 'AzureAutomation', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'First release: Connect-Intercom, Get-IntercomSubscriptionType, Get/Add/Remove-IntercomContactSubscription.'
        }
    }
}
