using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace CaseTracking.Web;

/// <summary>
/// <c>&lt;field-error for="period" /&gt;</c>: the message(s) of one field, right below it, with the id its input
/// points to through aria-describedby. Renders nothing when the field is fine.
/// </summary>
[HtmlTargetElement("field-error", TagStructure = TagStructure.WithoutEndTag)]
public sealed class FieldErrorTagHelper : TagHelper
{
    public string For { get; set; } = "";

    /// <summary>The form the field belongs to: several forms of a page share field names.</summary>
    public string Form { get; set; } = "";

    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        var page = (ViewContext.ViewData.Model as UiPage) ?? (ViewContext.ViewData["Page"] as UiPage);
        if (page is null || page.FailedForm != Form || !page.Errors.TryGetValue(For, out var messages) || messages.Length == 0)
        {
            output.SuppressOutput();
            return;
        }

        output.TagName = "p";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("id", UiPage.ErrorId(Form, For));
        output.Attributes.SetAttribute("class", "field-error");
        output.Content.SetContent(string.Join(" ", messages));
    }
}
