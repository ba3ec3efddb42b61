#
# Module manifest for IntercomSubscriptions.
# This copy, at the repository root, imports the module the build lays out in the out folder.
# The build writes the published copy beside the assemblies, with the paths below made relative.
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
        'Get-IntercomJournal'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('Intercom', 'Subscriptions', 'Consent', 'OptIn', 'OptOut', 'GDPR', 'Journal', 'Audit', 'AzureAutomation', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://github.com/intercom-subscriptions/IntercomSubscriptions.PS/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/intercom-subscriptions/IntercomSubscriptions.PS'
            ReleaseNotes = '0.1.0, the first release: Connect-Intercom, Disconnect-Intercom, Get-IntercomConnection, Get-IntercomSubscriptionType, Get-IntercomContactSubscription, Set-IntercomContactSubscription, Add-IntercomContactSubscription, Remove-IntercomContactSubscription and Get-IntercomJournal. Read and change contacts'' subscription consent one by one or in bulk from CSV, paced by Intercom''s rate limits, with -WhatIf/-Confirm, one-object run summaries for Azure Automation, and a write-ahead journal of every change that survives a killed job and undoes a run.'
        }
    }
}
